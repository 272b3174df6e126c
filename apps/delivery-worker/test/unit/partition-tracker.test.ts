import { PartitionTracker } from '../../src/consume/partition-tracker.js';

describe('PartitionTracker', () => {
  it('commits only up to the oldest unfinished offset', () => {
    const t = new PartitionTracker();
    for (const o of ['10', '11', '12', '13']) t.start(o);
    expect(t.toCommit()).toBeUndefined();
    t.finish('12');
    t.finish('11');
    expect(t.toCommit()).toBeUndefined();
    t.finish('10');
    expect(t.toCommit()).toBe('13');
    t.markCommitted('13');
    expect(t.toCommit()).toBeUndefined();
    expect(t.pending).toBe(1);
    t.finish('13');
    expect(t.toCommit()).toBe('14');
    expect(t.pending).toBe(0);
  });

  it('handles offsets beyond 2^53 and long runs', () => {
    const t = new PartitionTracker();
    const base = 9_007_199_254_740_990n;
    const offsets = Array.from({ length: 5000 }, (_, i) => (base + BigInt(i)).toString());
    offsets.forEach((o) => t.start(o));
    [...offsets].reverse().forEach((o) => t.finish(o));
    expect(t.toCommit()).toBe((base + 5000n).toString());
    expect(t.pending).toBe(0);
  });
});
