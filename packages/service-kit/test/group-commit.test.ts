import { GroupCommit } from '../src/batching/group-commit.js';

const turn = () => new Promise((r) => setImmediate(r));

/** A flush that answers x * 10 per item once the test opens its call (any call, in any order). */
function gatedFlush() {
  const groups: number[][] = [];
  const calls: { open(): void; fail(e: Error): void }[] = [];
  const flush = (items: number[]) => {
    groups.push(items);
    return new Promise<number[]>((resolve, reject) => {
      calls.push({ open: () => resolve(items.map((x) => x * 10)), fail: reject });
    });
  };
  /** Opens the n-th call (0-based) once it was made (within a few turns). */
  const open = async (n: number, error?: Error) => {
    for (let i = 0; calls.length <= n; i++) {
      if (i === 20) throw new Error(`flush ${n} was not called; groups so far: ${JSON.stringify(groups)}`);
      await turn();
    }
    if (error) calls[n]!.fail(error);
    else calls[n]!.open();
  };
  return { flush, groups, open };
}

describe('GroupCommit, gathering by microtask, one flush in flight (the defaults)', () => {
  it('flushes a first item at once and gathers everything submitted meanwhile into the next flush', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush);
    const first = group.submit(1);
    await turn();
    expect(f.groups).toEqual([[1]]);
    const later = [group.submit(2), group.submit(3)];
    await turn();
    const last = group.submit(4);
    await turn();
    expect(f.groups).toHaveLength(1);
    await f.open(0);
    expect(await first).toBe(10);
    await f.open(1);
    expect(await Promise.all([...later, last])).toEqual([20, 30, 40]);
    expect(f.groups).toEqual([[1], [2, 3, 4]]);
    expect(group.busy).toBe(false);
  });

  it('puts the items of one tick into one group, and a later tick of an idle batcher into its own', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush);
    const tick = [group.submit(1), group.submit(2)];
    await Promise.resolve();
    const next = group.submit(3);
    await f.open(0);
    expect(await Promise.all(tick)).toEqual([10, 20]);
    await f.open(1);
    expect(await next).toBe(30);
    expect(f.groups).toEqual([[1, 2], [3]]);
  });

  it('takes the next group as soon as a flush is answered, before its callers go on', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush);
    let fromCallback: Promise<number> | undefined;
    const first = group.submit(1).then((x) => {
      fromCallback = group.submit(4);
      return x;
    });
    await turn();
    const meanwhile = [group.submit(2), group.submit(3)];
    await f.open(0);
    await first;
    await f.open(1);
    await f.open(2);
    expect(await Promise.all([...meanwhile, fromCallback!])).toEqual([20, 30, 40]);
    expect(f.groups).toEqual([[1], [2, 3], [4]]);
  });

  it('keeps a group within maxWeight, in order, and lets a heavier single item go alone', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush, { maxWeight: 5, weightOf: (x) => x });
    const all = [group.submit(2), group.submit(3), group.submit(1), group.submit(9), group.submit(1)];
    for (let i = 0; i < 4; i++) await f.open(i);
    expect(await Promise.all(all)).toEqual([20, 30, 10, 90, 10]);
    expect(f.groups).toEqual([[2, 3], [1], [9], [1]]);
  });

  it('rejects every item of a failed flush with its error and goes on with the next group', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush);
    const failed = [group.submit(1), group.submit(2)].map((p) => p.catch((e: Error) => e.message));
    await turn();
    const next = group.submit(3);
    await f.open(0, new Error('database went away'));
    expect(await Promise.all(failed)).toEqual(['database went away', 'database went away']);
    await f.open(1);
    expect(await next).toBe(30);
    expect(f.groups).toEqual([[1, 2], [3]]);
  });

  it('answers one result per item, in order, whatever the flush computed', async () => {
    const group = new GroupCommit<string, number>((items) => Promise.resolve(items.map((s) => s.length)));
    expect(await Promise.all([group.submit('a'), group.submit('abc'), group.submit('ab')])).toEqual([1, 3, 2]);
  });
});

describe('GroupCommit, gathering by turn', () => {
  it('puts the calls of one event-loop turn into one flush, across microtask yields', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush, { gather: 'turn' });
    const a = group.submit(1);
    await Promise.resolve();
    await Promise.resolve();
    const b = group.submit(2);
    await f.open(0);
    expect(await Promise.all([a, b])).toEqual([10, 20]);
    expect(f.groups).toEqual([[1, 2]]);
  });

  it('one in flight: holds the calls of later turns and sends them together once the running flush ends, with the calls of the turn it ends in', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush, { gather: 'turn', oneInFlight: true });
    let fromCallback: Promise<number> | undefined;
    const first = group.submit(1).then((x) => {
      fromCallback = group.submit(4);
      return x;
    });
    await turn();
    const b = group.submit(2);
    await turn();
    const c = group.submit(3);
    await turn();
    // Two turns passed while the first flush ran: nothing else went out.
    expect(f.groups).toEqual([[1]]);
    await f.open(0);
    expect(await first).toBe(10);
    await f.open(1);
    expect(await Promise.all([b, c, fromCallback!])).toEqual([20, 30, 40]);
    expect(f.groups).toEqual([[1], [2, 3, 4]]);
  });

  it('not one in flight: flushes each turn at once beside the running flush, and answers each when its own flush ends', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush, { gather: 'turn', oneInFlight: false });
    const a = [group.submit(1), group.submit(2)];
    await turn();
    const b = group.submit(3);
    await turn();
    expect(f.groups).toEqual([[1, 2], [3]]);
    await f.open(1);
    expect(await b).toBe(30);
    expect(group.busy).toBe(true);
    await f.open(0);
    expect(await Promise.all(a)).toEqual([10, 20]);
    expect(group.busy).toBe(false);
  });

  it('not one in flight: sends every group within maxWeight at once', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush, { gather: 'turn', oneInFlight: false, maxWeight: 4, weightOf: (x) => x });
    const all = [group.submit(3), group.submit(1), group.submit(2), group.submit(2), group.submit(5)];
    await turn();
    expect(f.groups).toEqual([[3, 1], [2, 2], [5]]);
    for (const n of [2, 0, 1]) await f.open(n);
    expect(await Promise.all(all)).toEqual([30, 10, 20, 20, 50]);
  });

  it('rejects every item of a failed flush, and a later turn is flushed normally', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush, { gather: 'turn', oneInFlight: false });
    const outcomes = Promise.allSettled([group.submit(5), group.submit(6)]);
    await f.open(0, new Error('broker away'));
    expect((await outcomes).map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.value))).toEqual(['broker away', 'broker away']);
    const next = group.submit(7);
    await f.open(1);
    expect(await next).toBe(70);
  });

  it('gives the callers of a batcher without results nothing, once the flush resolved', async () => {
    const flushed: number[][] = [];
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const group = new GroupCommit<number>(
      async (items) => {
        flushed.push(items);
        await done;
      },
      { gather: 'turn', oneInFlight: false },
    );
    let answered = false;
    const all = Promise.all([group.submit(1), group.submit(2)]).then((r) => ((answered = true), r));
    await turn();
    await turn();
    expect(answered).toBe(false);
    release();
    expect(await all).toEqual([undefined, undefined]);
    expect(flushed).toEqual([[1, 2]]);
  });
});

describe.each([
  ['microtask', true],
  ['microtask', false],
  ['turn', true],
  ['turn', false],
] as const)('GroupCommit (gather %s, oneInFlight %s)', (gather, oneInFlight) => {
  it('rejects the group of a flush that throws synchronously, and stays usable', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(
      ((items: number[]) => {
        calls++;
        if (calls === 1) throw new Error('bad statement');
        return Promise.resolve(items);
      }) as (items: number[]) => Promise<number[]>,
      { gather, oneInFlight },
    );
    const failed = [group.submit(1), group.submit(2)];
    await expect(failed[0]).rejects.toThrow('bad statement');
    await expect(failed[1]).rejects.toThrow('bad statement');
    expect(group.busy).toBe(false);
    expect(await group.submit(3)).toBe(3);
    expect(calls).toBe(2);
    expect(group.busy).toBe(false);
  });

  it('is busy from the first submit until every flush is answered; settled() waits for all of it', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush, { gather, oneInFlight });
    expect(group.busy).toBe(false);
    await group.settled(); // idle: at once
    const answered: number[] = [];
    void group.submit(1).then((x) => answered.push(x));
    expect(group.busy).toBe(true);
    await turn();
    void group.submit(2).then((x) => answered.push(x));
    let settled = false;
    const whenSettled = group.settled().then(() => (settled = true));
    await f.open(0);
    await turn();
    expect(answered).toEqual([10]);
    expect(group.busy).toBe(true);
    expect(settled).toBe(false);
    await f.open(1);
    await whenSettled;
    expect(answered).toEqual([10, 20]);
    expect(group.busy).toBe(false);
  });
});

// Type checks (run by the lint's tsc): a batcher with results needs a flush that answers them.
export function typeChecks(): void {
  // @ts-expect-error the flush of a batcher with results must answer one per item
  new GroupCommit<number, number>(() => Promise.resolve());
  // @ts-expect-error a batcher without results takes a flush that answers nothing
  new GroupCommit<number>(() => Promise.resolve([1]));
  const inferred: GroupCommit<number, string> = new GroupCommit((items) => Promise.resolve(items.map(String)));
  void inferred;
}
