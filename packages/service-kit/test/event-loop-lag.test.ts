import { EventLoopLagSampler } from '../src/metrics/event-loop-lag.js';
import { createMetricsRegistry } from '../src/metrics/registry.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const block = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};
/** Polls `done` until it holds or 10 s have passed (a loaded machine only makes it slower). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await sleep(5);
}

describe('EventLoopLagSampler', () => {
  // Short periods so that the test takes well under a second: busy 10 ms, idle 100 ms, windows of 50 ms.
  const newSampler = () => new EventLoopLagSampler(10, 100, 50).start();

  it('records a block of the loop as the lateness of the sample it delayed', async () => {
    const sampler = newSampler();
    block(200);
    await until(() => sampler.histogram.count > 0);
    sampler.stop();
    // The sample was due 10 ms after the start, the block held it until 200 ms.
    expect(sampler.histogram.max).toBeGreaterThanOrEqual(150e6);
  });

  it('samples at the idle period once the loop has idled for a window, and at the busy one again after a busy window', async () => {
    const sampler = newSampler();
    expect(sampler.period).toBe(10);
    await until(() => sampler.period === 100);
    expect(sampler.period).toBe(100);
    const busy = async () => {
      // Busy most of every turn, with turns for the sampler's timer in between.
      while (sampler.period !== 10) {
        block(20);
        await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.race([busy(), sleep(10_000)]);
    expect(sampler.period).toBe(10);
    sampler.stop();
  });
});

describe('createMetricsRegistry', () => {
  it("exposes the event-loop lag gauges once, filled from the adaptive sampler (prom-client's own sample nothing)", async () => {
    const registry = createMetricsRegistry('test');
    const max = async () => {
      const text = await registry.metrics();
      const lines = text.split('\n').filter((l) => l.startsWith('nodejs_eventloop_lag_max_seconds'));
      expect(lines).toHaveLength(1);
      return Number(lines[0]!.split(' ').pop());
    };
    await max(); // starts the period afresh
    block(300);
    await sleep(150);
    expect(await max()).toBeGreaterThanOrEqual(0.1);
    for (const name of ['min', 'mean', 'stddev', 'p50', 'p90', 'p99']) {
      expect((await registry.metrics()).split('\n').filter((l) => l.startsWith(`nodejs_eventloop_lag_${name}_seconds{`))).toHaveLength(1);
    }
  });
});
