/**
 * Which partitions a fetch may leave out, and until when.
 *
 * A record written to a retry tier of delay T (5 s and up) is never acted on before T after it
 * was written: the router picks the largest tier that fits the time left before the job's due
 * time, and a tier holds its records until min(written + T, due). So once a slow tier's
 * partition is drained (read up to its high watermark), nothing written to it later needs to be
 * read for a while: it is paused and revisited, in one fetch, every fraction of T. Every fetch
 * then encodes and decodes a dozen partitions instead of four dozen (at a steady load about a
 * hundred fetches a second do, idle one a second), and a record is still read long before its
 * time: at most about one interval after it was written, against T.
 */

/**
 * A tier's delay divided by this is the time between two revisits of its drained partitions:
 * the `5s` tier every 2 s, so that an idle worker's fetches, which never wait past a revisit,
 * can wait the whole CONSUMER_IDLE_MAX_WAIT_MS (2 s); a fifth (1 s) kept them at one a second.
 * A record is still read at least 3 s before it can be due.
 */
export const REVISIT_FRACTION = 2.5;
/** Tiers shorter than this are read by every fetch: their records may be due within a second. */
export const MIN_REVISITED_TIER_MS = 5_000;

/**
 * How long a drained partition of a topic whose records wait at least `minWaitMs` after they
 * are written may stay out of the fetches; undefined: read by every fetch (the 1 s tier,
 * `deliveries`, or `maxIntervalMs` 0).
 */
export function revisitIntervalMs(minWaitMs: number, maxIntervalMs: number): number | undefined {
  if (minWaitMs < MIN_REVISITED_TIER_MS || maxIntervalMs <= 0) return undefined;
  return Math.min(Math.floor(minWaitMs / REVISIT_FRACTION), maxIntervalMs);
}

/**
 * The first revisit strictly after `time`, on a grid of `intervalMs` from the epoch: partitions
 * drained at different moments come back together, in one fetch rather than one each.
 */
export function nextRevisitAt(time: number, intervalMs: number): number {
  return (Math.floor(time / intervalMs) + 1) * intervalMs;
}

/**
 * The drained partitions left out of the fetches, by partition key, with when each comes back.
 * Pure bookkeeping: the caller pauses and resumes.
 */
export class DrainedPartitions {
  private readonly until = new Map<string, number>();

  /**
   * @param intervalOf how long a drained partition of a topic stays out (undefined: never)
   * @param leadMs a partition due within this long is revisited by the fetch starting now rather
   * than one fetch wait late; so the next revisit is counted from `now + leadMs`
   */
  constructor(
    private readonly intervalOf: (key: string) => number | undefined,
    private readonly leadMs: number,
  ) {}

  /** Whether the partition is left out of the fetches now. */
  has(key: string): boolean {
    return this.until.has(key);
  }

  get size(): number {
    return this.until.size;
  }

  /**
   * The partition was found read up to its high watermark at `now`: true if it should be paused
   * now (it may be left out, and is not already).
   */
  drained(key: string, now: number): boolean {
    if (this.until.has(key)) return false;
    const interval = this.intervalOf(key);
    if (interval === undefined) return false;
    this.until.set(key, nextRevisitAt(now + this.leadMs, interval));
    return true;
  }

  /** The partitions whose revisit comes within the lead of `now`: forgotten here, to be resumed. */
  due(now: number): string[] {
    const keys: string[] = [];
    for (const [key, at] of this.until) {
      if (at > now + this.leadMs) continue;
      keys.push(key);
      this.until.delete(key);
    }
    return keys;
  }

  /** The earliest revisit, if a partition is left out. */
  nextRevisit(): number | undefined {
    let earliest: number | undefined;
    for (const at of this.until.values()) if (earliest === undefined || at < earliest) earliest = at;
    return earliest;
  }

  /** The partition is read again for another reason (records, a hold, a saturation, a new assignment). */
  forget(key: string): boolean {
    return this.until.delete(key);
  }

  /** Every partition, as after a rebalance: the fetch positions went back to the committed offsets. */
  clear(): string[] {
    const keys = [...this.until.keys()];
    this.until.clear();
    return keys;
  }
}
