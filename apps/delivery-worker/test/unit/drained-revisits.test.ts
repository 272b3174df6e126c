import { RETRY_TIER_MS, RETRY_TIERS } from '@hookstream/service-kit';
import { DrainedPartitions, nextRevisitAt, revisitIntervalMs } from '../../src/consume/drained-revisits.js';

describe('revisitIntervalMs', () => {
  it('revisits a tier every 2/5 of its delay, at most the maximum apart, and never the 1 s tier', () => {
    expect(RETRY_TIERS.map((t) => revisitIntervalMs(RETRY_TIER_MS[t], 5_000))).toEqual([undefined, 2_000, 5_000, 5_000, 5_000, 5_000, 5_000]);
    expect(RETRY_TIERS.map((t) => revisitIntervalMs(RETRY_TIER_MS[t], 60_000))).toEqual([undefined, 2_000, 12_000, 48_000, 60_000, 60_000, 60_000]);
  });

  it('is off with a maximum of 0', () => {
    expect(revisitIntervalMs(RETRY_TIER_MS['6h'], 0)).toBeUndefined();
  });

  it('leaves every tier read early enough: a record is read at the latest one interval plus a lead after it was written, well before its tier lets it act', () => {
    for (const t of RETRY_TIERS) {
      const interval = revisitIntervalMs(RETRY_TIER_MS[t], 600_000);
      if (interval === undefined) continue;
      expect(interval + 200).toBeLessThan(RETRY_TIER_MS[t] / 2);
    }
  });
});

describe('nextRevisitAt', () => {
  it('is the next point of a grid shared by every partition, strictly after the time', () => {
    expect(nextRevisitAt(10_000, 1_000)).toBe(11_000);
    expect(nextRevisitAt(10_001, 1_000)).toBe(11_000);
    expect(nextRevisitAt(10_999, 5_000)).toBe(15_000);
  });
});

describe('DrainedPartitions', () => {
  const intervals: Record<string, number | undefined> = { '0|slow': 5_000, '1|slow': 5_000, '0|five': 1_000, '0|fast': undefined };
  const make = (leadMs = 0) => new DrainedPartitions((key) => intervals[key], leadMs);

  it('leaves out a drained partition of a revisited topic until the grid point after it, once', () => {
    const d = make();
    expect(d.drained('0|slow', 12_300)).toBe(true);
    expect(d.drained('0|slow', 12_400)).toBe(false);
    expect(d.has('0|slow')).toBe(true);
    expect(d.nextRevisit()).toBe(15_000);
    expect(d.size).toBe(1);
  });

  it('never leaves out a topic without an interval', () => {
    const d = make();
    expect(d.drained('0|fast', 1_000)).toBe(false);
    expect(d.has('0|fast')).toBe(false);
    expect(d.nextRevisit()).toBeUndefined();
  });

  it('hands back, together, the partitions whose revisit has come, and only those', () => {
    const d = make();
    d.drained('0|slow', 11_000);
    d.drained('1|slow', 14_900);
    d.drained('0|five', 14_100);
    expect(d.nextRevisit()).toBe(15_000);
    expect(d.due(14_999)).toEqual([]);
    expect(d.due(15_000).sort()).toEqual(['0|five', '0|slow', '1|slow']);
    expect(d.size).toBe(0);
    expect(d.due(16_000)).toEqual([]);
  });

  it('revisits a partition due within the lead by the fetch starting now, and counts the next revisit from after the lead', () => {
    const d = make(200);
    d.drained('0|five', 10_100);
    expect(d.nextRevisit()).toBe(11_000);
    expect(d.due(10_799)).toEqual([]);
    expect(d.due(10_800)).toEqual(['0|five']);
    // Drained again at 10 850: 11 000 is within the lead, so the next revisit is the one after.
    d.drained('0|five', 10_850);
    expect(d.nextRevisit()).toBe(12_000);
  });

  it('forgets a partition read for another reason, and every partition after a rebalance', () => {
    const d = make();
    d.drained('0|slow', 1_000);
    d.drained('1|slow', 1_000);
    expect(d.forget('0|slow')).toBe(true);
    expect(d.forget('0|slow')).toBe(false);
    expect(d.clear()).toEqual(['1|slow']);
    expect(d.size).toBe(0);
  });
});
