import { GroupCommit } from '../../src/ingest/group-commit.js';

/** A flush whose calls the test lets finish one by one. */
function gatedFlush() {
  const groups: number[][] = [];
  const gates: Array<() => void> = [];
  let failNext: Error | undefined;
  const flush = async (items: number[]) => {
    groups.push(items);
    await new Promise<void>((r) => gates.push(r));
    if (failNext) {
      const e = failNext;
      failNext = undefined;
      throw e;
    }
    return items.map((x) => x * 10);
  };
  const open = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { flush, groups, open, failWith: (e: Error) => (failNext = e) };
}

describe('GroupCommit', () => {
  it('flushes a first item at once and gathers everything submitted meanwhile into the next flush', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush);
    const first = group.submit(1);
    await new Promise((r) => setImmediate(r));
    expect(f.groups).toEqual([[1]]);
    const later = [group.submit(2), group.submit(3), group.submit(4)];
    expect(f.groups).toHaveLength(1);
    await f.open();
    expect(await first).toBe(10);
    await f.open();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(f.groups).toEqual([[1], [2, 3, 4]]);
    expect(group.busy).toBe(false);
  });

  it('puts items submitted in the same tick into one group', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush);
    const all = [group.submit(1), group.submit(2)];
    await f.open();
    expect(await Promise.all(all)).toEqual([10, 20]);
    expect(f.groups).toEqual([[1, 2]]);
  });

  it('keeps a group within maxWeight, in order, and lets a heavier single item go alone', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush, { maxWeight: 5, weightOf: (x) => x });
    const all = [group.submit(2), group.submit(3), group.submit(1), group.submit(9), group.submit(1)];
    for (let i = 0; i < 4; i++) await f.open();
    expect(await Promise.all(all)).toEqual([20, 30, 10, 90, 10]);
    expect(f.groups).toEqual([[2, 3], [1], [9], [1]]);
  });

  it('rejects every item of a failed flush with its error and goes on with the next group', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush);
    f.failWith(new Error('database went away'));
    const failed = [group.submit(1), group.submit(2)].map((p) => p.catch((e: Error) => e.message));
    await new Promise((r) => setImmediate(r));
    const next = group.submit(3);
    await f.open();
    expect(await Promise.all(failed)).toEqual(['database went away', 'database went away']);
    await f.open();
    expect(await next).toBe(30);
  });

  it('survives a flush that throws synchronously', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(((items: number[]) => {
      calls++;
      if (calls === 1) throw new Error('bad statement');
      return Promise.resolve(items);
    }) as (items: number[]) => Promise<number[]>);
    await expect(group.submit(1)).rejects.toThrow('bad statement');
    expect(await group.submit(2)).toBe(2);
    expect(group.busy).toBe(false);
  });

  it('settled() waits for the items already submitted', async () => {
    const f = gatedFlush();
    const group = new GroupCommit(f.flush);
    const answered: number[] = [];
    void group.submit(1).then((x) => answered.push(x));
    void group.submit(2).then((x) => answered.push(x));
    const settled = group.settled();
    await f.open();
    await settled;
    expect(answered).toEqual([10, 20]);
    expect(group.busy).toBe(false);
  });
});
