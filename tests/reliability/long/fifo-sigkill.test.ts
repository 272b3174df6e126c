import { recordResults } from '../test/support/results.js';
import { runFifoScenario } from '../test/support/fifo-order.js';

describe('FIFO webhook with a worker SIGKILLed mid-run (issue 19.2, acceptance b)', () => {
  it('1 000 events over 10 subjects, 20 % of first attempts refused, worker killed at 30 %: per subject in publish order, no gaps, repeats only under the same webhook-id', async () => {
    const out = await runFifoScenario({ events: 1000, subjects: 10, killAt: 0.3 });
    recordResults({ fifo_sigkill: { events: 1000, subjects: 10, killed: out.killed, refused: out.refused, repeats: out.repeats } });
    expect(out.killed).toBe(true);
    expect(out.refused).toBeGreaterThan(0);
    expect(out.overtakes).toEqual([]);
    expect(out.missing).toBe(0);
    expect(out.mixedIds).toBe(0);
    expect(out.plainDoneAt).toBeLessThan(out.fifoDoneAt);
  });
});
