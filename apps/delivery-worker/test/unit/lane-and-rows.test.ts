import { isNewerOrSame } from '../../src/audit/rows.js';
import { WebhookLane } from '../../src/dispatch/webhook-lane.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WebhookLane', () => {
  it('runs at most maxInFlight calls at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const lane = new WebhookLane<number>(
      { maxInFlight: 3, batchSize: 1, batchWaitMs: 1000 },
      async ([n]) => {
        running++;
        peak = Math.max(peak, running);
        await tick(10);
        running--;
        done.push(n!);
      },
      () => undefined,
    );
    for (let i = 0; i < 10; i++) lane.submit(i);
    while (done.length < 10) await tick(5);
    expect(peak).toBe(3);
    expect(lane.idle).toBe(true);
  });

  it('sends a full batch at once and a partial one after the wait', async () => {
    const calls: number[][] = [];
    const lane = new WebhookLane<number>(
      { maxInFlight: 10, batchSize: 3, batchWaitMs: 50 },
      async (items) => {
        calls.push(items);
      },
      () => undefined,
    );
    [1, 2, 3, 4].forEach((n) => lane.submit(n));
    await tick(0);
    expect(calls).toEqual([[1, 2, 3]]);
    await tick(80);
    expect(calls).toEqual([[1, 2, 3], [4]]);
  });
});

describe('delivery state ordering', () => {
  it('keeps the latest state of a delivery', () => {
    expect(isNewerOrSame({ cycle: 0, attempts: 2, status: 'retrying' }, { cycle: 0, attempts: 1, status: 'retrying' })).toBe(true);
    expect(isNewerOrSame({ cycle: 0, attempts: 1, status: 'retrying' }, { cycle: 0, attempts: 2, status: 'delivered' })).toBe(false);
    expect(isNewerOrSame({ cycle: 0, attempts: 2, status: 'retrying' }, { cycle: 0, attempts: 2, status: 'delivered' })).toBe(false);
    expect(isNewerOrSame({ cycle: 1, attempts: 1, status: 'pending' }, { cycle: 0, attempts: 6, status: 'discarded' })).toBe(true);
  });
});
