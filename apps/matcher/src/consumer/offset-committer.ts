export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read (last handled + 1), as Kafka commits it. */
  offset: string;
}

export interface OffsetCommitterDeps {
  /** Sends one commit request (kafkajs `consumer.commitOffsets`). */
  commit(offsets: PartitionOffset[]): Promise<void>;
  /** Called for every failed commit request before it is retried. */
  onRetry(error: unknown, attempt: number, retryInMs: number): void;
  retryMaxMs: number;
}

interface Pending extends PartitionOffset {
  waiters: (() => void)[];
}

/**
 * Commits offsets without holding the partition's next fetch. A slice hands its offset in
 * only once its jobs and index rows are durable, so any offset handed in may be committed,
 * and the highest one per partition covers every earlier one: offsets handed in while a
 * commit request is in flight are merged into the next request (one request in flight, so
 * commits of a partition reach the broker in order and never go backwards). A failed request
 * is retried with back-off; its offsets are merged with newer ones in the meantime.
 *
 * The caller waits for a partition's previous commit before handing in the next one, which
 * bounds uncommitted progress to one slice per partition; that wait normally costs nothing
 * because the commit request went out before the next fetch.
 */
export class OffsetCommitter {
  private pending = new Map<string, Pending>();
  private running = false;
  private stopped = false;

  constructor(private readonly deps: OffsetCommitterDeps) {}

  /**
   * Resolves once an offset at least this high was committed for the partition, or once the
   * committer stopped or forgot it (a rebalance): never rejects, failures are retried here.
   */
  commit(topic: string, partition: number, offset: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const key = `${topic}\u0000${partition}`;
      const entry = this.pending.get(key);
      if (!entry) this.pending.set(key, { topic, partition, offset, waiters: [resolve] });
      else {
        if (BigInt(offset) > BigInt(entry.offset)) entry.offset = offset;
        entry.waiters.push(resolve);
      }
      // Started on the next turn, so the partitions finishing a slice together share a request.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /**
   * Drops offsets not sent yet of partitions this member no longer owns (their waiters
   * resolve): after a rebalance another member reads them from the last commit, and
   * committing an older offset there later would move its progress back.
   */
  retainOnly(owned: (topic: string, partition: number) => boolean): void {
    for (const [key, p] of this.pending) {
      if (owned(p.topic, p.partition)) continue;
      this.pending.delete(key);
      for (const w of p.waiters) w();
    }
  }

  private forget(): void {
    const dropped = [...this.pending.values()];
    this.pending.clear();
    for (const p of dropped) for (const w of p.waiters) w();
  }

  /** Stops retrying; what is pending is dropped (read again after a restart: at least once). */
  stop(): void {
    this.stopped = true;
    this.forget();
  }

  private async drain(): Promise<void> {
    let delay = 200;
    let attempt = 0;
    try {
      while (this.pending.size > 0 && !this.stopped) {
        const batch = [...this.pending.values()];
        this.pending.clear();
        try {
          await this.deps.commit(batch.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
          for (const p of batch) for (const w of p.waiters) w();
          delay = 200;
          attempt = 0;
        } catch (e) {
          // Put the failed offsets back under any newer ones handed in meanwhile, then wait.
          for (const p of batch) {
            const key = `${p.topic}\u0000${p.partition}`;
            const newer = this.pending.get(key);
            if (!newer) this.pending.set(key, p);
            else {
              if (BigInt(p.offset) > BigInt(newer.offset)) newer.offset = p.offset;
              newer.waiters.unshift(...p.waiters);
            }
          }
          attempt++;
          this.deps.onRetry(e, attempt, delay);
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, this.deps.retryMaxMs);
        }
      }
    } finally {
      this.running = false;
    }
    if (this.stopped) this.forget();
  }
}
