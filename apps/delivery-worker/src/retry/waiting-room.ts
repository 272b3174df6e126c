/**
 * Retry jobs read from a tier topic shortly before they are due wait here, in memory, instead
 * of pausing the partition and reading it again at the due time: one pause and refetch per
 * job costs a broker round trip each, and with thousands of retries due a few milliseconds
 * apart those round trips add up to seconds of lateness. A waiting job keeps its offset
 * uncommitted (the consumer counts it as unfinished), so a crash loses nothing: Kafka hands
 * it out again.
 *
 * Each job belongs to the partition it was read from. While the consumer group rebalances,
 * jobs that come due are held; once the new assignment is known, the jobs of partitions this
 * worker lost are dropped (their new owner reads them again from the uncommitted offset) and
 * the rest go on. Without that, both workers would send them.
 */
export class PartitionRevoked extends Error {
  constructor(readonly partitionKey: string) {
    super(`partition ${partitionKey} was assigned to another worker; its new owner sends this job`);
    this.name = 'PartitionRevoked';
  }
}

interface Waiter {
  owner: string;
  timer: NodeJS.Timeout | undefined;
  resolve(): void;
  reject(e: Error): void;
}

/** A rebalance that never completes must not hold retries forever: they go on after this. */
const MAX_HOLD_MS = 30_000;

export class WaitingRoom {
  private readonly waiters = new Set<Waiter>();
  private abandonedJobs = 0;
  private revokedJobs = 0;
  private closed = false;
  private holdTimer: NodeJS.Timeout | undefined;

  /** Jobs waiting for their time (or, during a rebalance, held past it). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Jobs whose wait was cut short by `close`: never started, left to Kafka's redelivery. */
  get abandoned(): number {
    return this.abandonedJobs;
  }

  /** Jobs dropped because their partition went to another worker. */
  get revoked(): number {
    return this.revokedJobs;
  }

  /**
   * Resolves at `at`; rejects with PartitionRevoked if `owner` (the partition) is lost first;
   * never settles once the room is closed (the job stays unfinished).
   */
  until(at: number, owner: string): Promise<void> {
    if (this.closed) {
      this.abandonedJobs++;
      return new Promise(() => undefined);
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { owner, timer: undefined, resolve, reject };
      w.timer = setTimeout(
        () => {
          w.timer = undefined;
          if (this.holdTimer) return; // released when the rebalance ends
          this.waiters.delete(w);
          resolve();
        },
        Math.max(0, at - Date.now()),
      );
      this.waiters.add(w);
    });
  }

  /** The group is rebalancing: partitions may move, so nothing due starts until `assigned`. */
  rebalancing(): void {
    if (this.closed) return;
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.release(), MAX_HOLD_MS);
    this.holdTimer.unref();
  }

  /** The new assignment: drops the jobs of partitions not in it (returns how many), lets the others go on. */
  assigned(owners: ReadonlySet<string>): number {
    const before = this.revokedJobs;
    for (const w of this.waiters) {
      if (owners.has(w.owner)) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      this.revokedJobs++;
      w.reject(new PartitionRevoked(w.owner));
    }
    this.release();
    return this.revokedJobs - before;
  }

  private release(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    for (const w of this.waiters) {
      if (w.timer) continue;
      this.waiters.delete(w);
      w.resolve();
    }
  }

  /** Shutdown: no waiting job starts any more. */
  close(): void {
    this.closed = true;
    clearTimeout(this.holdTimer);
    for (const w of this.waiters) clearTimeout(w.timer);
    this.abandonedJobs += this.waiters.size;
    this.waiters.clear();
  }
}
