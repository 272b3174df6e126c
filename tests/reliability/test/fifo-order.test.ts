import { recordResults } from './support/results.js';
import { runFifoScenario } from './support/fifo-order.js';

// The short run of issue 19.2's acceptance (b); the long part (`npm run reliability:long`) runs
// 1 000 events over 10 subjects with a worker SIGKILLed mid-run (long/fifo-sigkill.test.ts).
const EVENTS = Number(process.env.RELIABILITY_FIFO_EVENTS ?? 200);
const SUBJECTS = Number(process.env.RELIABILITY_FIFO_SUBJECTS ?? 4);

describe('FIFO webhook on the real pipeline (issue 19.2)', () => {
  it(`${EVENTS} events over ${SUBJECTS} subjects, 20 % of first attempts refused: per subject in publish order, no gaps; the unordered webhook is not held`, async () => {
    const out = await runFifoScenario({ events: EVENTS, subjects: SUBJECTS });
    recordResults({
      fifo_order: { events: EVENTS, subjects: SUBJECTS, killed: false, refused: out.refused, repeats: out.repeats, plain_repeats: out.plainRepeats },
    });
    expect(out.refused).toBeGreaterThan(0);
    expect(out.overtakes).toEqual([]);
    expect(out.missing).toBe(0);
    expect(out.mixedIds).toBe(0);
    // The unordered webhook got every event while FIFO keys were still being held by their retries.
    expect(out.plainDoneAt).toBeLessThan(out.fifoDoneAt);
  });
});
