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
  /**
   * How long an offset handed in without `urgent` may wait for others to share its request.
   * 0: every offset goes out on the next turn of the event loop.
   */
  lingerMs?: number;
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
 * An urgent offset goes out on the next turn (so the partitions finishing a slice together
 * share a request); others linger up to `lingerMs` first. At a low rate every fetch brings a
 * slice of a few events, and a commit request per slice was a third of the matcher's Kafka
 * requests: lingering, the slices of `lingerMs` share one, and a crash repeats at most the slices
 * of that time (the caller makes a full slice's offset urgent, which bounds the repeat in events).
 */
export class OffsetCommitter {
  private pending = new Map<string, Pending>();
  private running = false;
  private stopped = false;
  /** Something pending must go out without lingering (an urgent offset, a flush, closing). */
  private urgent = false;
  private closing = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: OffsetCommitterDeps) {}

  /**
   * Resolves once an offset at least this high was committed for the partition, or once the
   * committer stopped or forgot it (a rebalance): never rejects, failures are retried here.
   */
  commit(topic: string, partition: number, offset: string, urgent = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const key = `${topic}\u0000${partition}`;
      const entry = this.pending.get(key);
      if (!entry) this.pending.set(key, { topic, partition, offset, waiters: [resolve] });
      else {
        if (BigInt(offset) > BigInt(entry.offset)) entry.offset = offset;
        entry.waiters.push(resolve);
      }
      if (urgent) this.urgent = true;
      this.schedule();
    });
  }

  /** Sends what is pending without lingering; resolves once nothing is pending or in flight. */
  flush(): Promise<void> {
    if (this.stopped || (this.pending.size === 0 && !this.running)) return Promise.resolve();
    this.urgent = true;
    this.schedule();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** From now on nothing lingers (shutdown: the group is left soon), and what is pending goes out. */
  close(): Promise<void> {
    this.closing = true;
    return this.flush();
  }

  private schedule(): void {
    // A running drain looks at the pending offsets again when its request ends.
    if (this.running || this.stopped || this.pending.size === 0) return;
    const linger = this.deps.lingerMs ?? 0;
    if (this.urgent || this.closing || linger <= 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.running = true;
      setImmediate(() => void this.drain());
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.running || this.stopped) return;
        this.running = true;
        void this.drain();
      }, linger);
    }
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
    this.settleIdle();
  }

  private forget(): void {
    const dropped = [...this.pending.values()];
    this.pending.clear();
    for (const p of dropped) for (const w of p.waiters) w();
  }

  /** Stops retrying; what is pending is dropped (read again after a restart: at least once). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.forget();
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.running || (this.pending.size > 0 && !this.stopped)) return;
    this.urgent = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async drain(): Promise<void> {
    let delay = 200;
    let attempt = 0;
    try {
      while (this.pending.size > 0 && !this.stopped) {
        const batch = [...this.pending.values()];
        this.pending.clear();
        // This request carries everything asked for so far; a new urgent offset or flush sets it again.
        this.urgent = false;
        try {
          await this.deps.commit(batch.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
          for (const p of batch) for (const w of p.waiters) w();
          delay = 200;
          attempt = 0;
          // Offsets handed in during the request without urgency linger again (their own timer).
          if (!this.urgent && !this.closing && (this.deps.lingerMs ?? 0) > 0) break;
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
    else this.schedule();
    this.settleIdle();
  }
}
