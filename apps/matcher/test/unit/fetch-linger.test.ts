import { FetchLinger } from '../../src/consumer/fetch-linger.js';

/** A linger on a clock the test sets; its waits are recorded and end at once. */
function lingerAt(options: { lingerMs: number; below: number }) {
  const clock = { ms: 0 };
  const waits: number[] = [];
  let lingers = 0;
  const linger = new FetchLinger({ ...options, now: () => clock.ms, sleep: async (ms) => void waits.push(ms), onLinger: () => void lingers++ });
  /** One fetch of `events` (one partition's batch) arriving at `at`, done `processMs` later. */
  const fetchAt = async (at: number, events: number, processMs = 0, owned = true) => {
    clock.ms = at;
    const fetched = linger.join(events);
    clock.ms = at + processMs;
    await linger.after(fetched, () => owned);
    // The next fetch is a new one: kafkajs starts the batches of one fetch in one turn.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { fetchAt, waits, lingers: () => lingers, linger, clock };
}

describe('FetchLinger', () => {
  it('waits, at a slow rate, the longest wait counted from when the fetch arrived', async () => {
    const l = lingerAt({ lingerMs: 25, below: 8 });
    await l.fetchAt(0, 3);
    // 300 events/s: 3 events in 10 ms; 8 would take 26.7 ms, more than the longest wait.
    await l.fetchAt(10, 3, 4);
    expect(l.waits).toEqual([21]);
    expect(l.lingers()).toBe(1);
  });

  it('waits, at a faster rate, only as long as the next fetch needs to bring the threshold', async () => {
    const l = lingerAt({ lingerMs: 25, below: 8 });
    await l.fetchAt(0, 6);
    // 1,500 events/s: 6 events in 4 ms, so 8 take 5.33 ms from the fetch's arrival; 1 ms went in processing it.
    await l.fetchAt(4, 6, 1);
    expect(l.waits).toHaveLength(1);
    expect(l.waits[0]).toBeCloseTo(4.333, 2);
  });

  it('does not wait when the threshold would be reached within a millisecond', async () => {
    const l = lingerAt({ lingerMs: 25, below: 8 });
    await l.fetchAt(0, 7);
    // 7 events in 2 ms: 8 are there 2.3 ms after the fetch arrived, and 2 ms went in processing it.
    await l.fetchAt(2, 7, 2);
    expect(l.waits).toEqual([]);
    expect(l.lingers()).toBe(0);
  });

  it('holds only after two small fetches in a row, and never after a busy one', async () => {
    const l = lingerAt({ lingerMs: 25, below: 8 });
    await l.fetchAt(0, 2);
    expect(l.waits).toEqual([]);
    await l.fetchAt(100, 20);
    await l.fetchAt(110, 2);
    expect(l.waits).toEqual([]);
    await l.fetchAt(200, 2);
    expect(l.waits).toEqual([25]);
  });

  it('keeps holding at a steady moderate rate: a fetch a hold gathered is held again though it is not small', async () => {
    const l = lingerAt({ lingerMs: 25, below: 8 });
    // 200 events/s: 8 events would take 40 ms.
    await l.fetchAt(0, 2);
    await l.fetchAt(10, 2);
    expect(l.waits).toEqual([25]);
    // About 300 events/s: each held fetch brings 8 events in 26 ms (not small), and is held again.
    await l.fetchAt(36, 8, 1);
    expect(l.waits).toEqual([25, 24]);
    await l.fetchAt(62, 8, 1);
    expect(l.waits).toEqual([25, 24, 24]);
    expect(l.lingers()).toBe(3);
  });

  it('stops holding when a fetch a hold gathered brings twice the threshold (a rising rate), or when no wait is needed', async () => {
    const l = lingerAt({ lingerMs: 25, below: 8 });
    await l.fetchAt(0, 2);
    await l.fetchAt(10, 2);
    expect(l.waits).toEqual([25]);
    await l.fetchAt(36, 16);
    // Busy: the next fetch goes at once, and so does a small one after it.
    await l.fetchAt(37, 20);
    await l.fetchAt(38, 3);
    expect(l.waits).toEqual([25]);
    // 3,000 events/s after a hold: the threshold is there within a millisecond, so the stream is busy again.
    const fast = lingerAt({ lingerMs: 25, below: 8 });
    await fast.fetchAt(0, 2);
    await fast.fetchAt(1, 2);
    expect(fast.waits).toHaveLength(1);
    await fast.fetchAt(5, 12, 3);
    await fast.fetchAt(8, 6);
    expect(fast.waits).toHaveLength(1);
  });

  it("holds every partition's batch of one fetch until the same moment", async () => {
    const l = lingerAt({ lingerMs: 25, below: 8 });
    await l.fetchAt(50, 1);
    l.clock.ms = 100;
    const a = l.linger.join(2);
    const b = l.linger.join(3);
    expect(a).toBe(b);
    l.clock.ms = 105;
    await l.linger.after(a, () => true);
    l.clock.ms = 110;
    await l.linger.after(b, () => true);
    // Until 125 (arrival + 25): 20 ms after the first batch, 15 after the second.
    expect(l.waits).toEqual([20, 15]);
  });

  it('never waits with a longest wait of 0, nor for a partition no longer owned', async () => {
    const off = lingerAt({ lingerMs: 0, below: 8 });
    await off.fetchAt(0, 1);
    await off.fetchAt(100, 1);
    expect(off.waits).toEqual([]);
    const lost = lingerAt({ lingerMs: 25, below: 8 });
    await lost.fetchAt(0, 1);
    await lost.fetchAt(100, 1, 0, false);
    expect(lost.waits).toEqual([]);
    // The same fetches, owned: held.
    const kept = lingerAt({ lingerMs: 25, below: 8 });
    await kept.fetchAt(0, 1);
    await kept.fetchAt(100, 1);
    expect(kept.waits).toEqual([25]);
  });
});
