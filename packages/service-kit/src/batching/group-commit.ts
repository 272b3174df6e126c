/** What a flush answers: one result per item, in order; nothing when the callers get `void`. */
export type GroupResults<R> = [R] extends [void] ? void : R[];

export interface GroupCommitOptions<T> {
  /**
   * When a group closes. `microtask` (default): once the submitting code yields, so only the
   * callers of the same tick join. `turn`: at the end of the event loop's turn (setImmediate),
   * so callers woken by the same I/O (the batches of one Kafka fetch) join too.
   */
  gather?: 'microtask' | 'turn';
  /**
   * Default true: one flush at a time, and everything submitted while it runs waits for the
   * next, which carries all of it. false: each gathered group is flushed at once, beside any
   * still running.
   */
  oneInFlight?: boolean;
  /** With `weightOf`, caps a group (e.g. rows per statement); a heavier single item goes alone. */
  maxWeight?: number;
  weightOf?: (item: T) => number;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(e: unknown): void;
}

/**
 * Group commit: the calls gathered together share one flush, so a burst of concurrent callers
 * costs one round trip per flush (one statement, one produce request) instead of one each.
 * There is no timer: a group closes as soon as the submitting code yields (or its event-loop
 * turn ends), so an idle batcher flushes at once and adds no latency; under load, one flush in
 * flight lets the next group gather for as long as the previous round trip takes, which is
 * exactly when merging pays.
 *
 * `flush` gets a group's items in submission order and answers one result per item, in the
 * same order (nothing for a `GroupCommit<T>`, whose callers get `void`). When it throws or rejects, every item of
 * the group is rejected with the error; the batcher goes on with the next group.
 */
export class GroupCommit<T, R = void> {
  private queue: Waiting<T, R>[] = [];
  private scheduled = false;
  private flushing = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly gather: 'microtask' | 'turn';
  private readonly oneInFlight: boolean;

  constructor(
    private readonly flush: (items: T[]) => Promise<GroupResults<R>>,
    private readonly options: GroupCommitOptions<T> = {},
  ) {
    this.gather = options.gather ?? 'microtask';
    this.oneInFlight = options.oneInFlight ?? true;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Whether a flush runs or items wait. */
  get busy(): boolean {
    return this.scheduled || this.flushing > 0;
  }

  /** Resolves once nothing waits and no flush runs (what was submitted before is answered). */
  async settled(): Promise<void> {
    while (this.busy) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    // One in flight: the running flush takes what waits when it ends.
    if (this.scheduled || (this.oneInFlight && this.flushing > 0)) return;
    this.scheduled = true;
    // Deferred even when idle: the callers of the same tick (or turn) join, and a flush that
    // throws synchronously cannot throw out of submit.
    if (this.gather === 'turn') setImmediate(this.run);
    else queueMicrotask(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    if (this.oneInFlight) {
      if (this.queue.length > 0) void this.flushGroups();
    } else {
      while (this.queue.length > 0) void this.flushGroups();
    }
  };

  /**
   * Flushes the next group. One in flight and gathering by microtask, it goes on with the next
   * group as soon as one is answered (what arrived meanwhile is gathered already); gathering by
   * turn, the next flush waits for the end of a turn, so the calls of that turn join it too.
   * The loop is inline, without an await between answering one group and taking the next.
   */
  private async flushGroups(): Promise<void> {
    this.flushing++;
    try {
      do {
        const group = this.takeGroup();
        try {
          const results = (await this.flush(group.map((w) => w.item))) as R[] | undefined;
          group.forEach((w, i) => w.resolve(results?.[i] as R));
        } catch (e) {
          for (const w of group) w.reject(e);
        }
      } while (this.oneInFlight && this.gather === 'microtask' && this.queue.length > 0);
    } finally {
      this.flushing--;
    }
    if (this.oneInFlight && this.queue.length > 0) this.schedule();
    else if (!this.busy) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** The next group: the oldest items whose weights fit in maxWeight (a heavier single item goes alone). */
  private takeGroup(): Waiting<T, R>[] {
    const { maxWeight, weightOf } = this.options;
    if (maxWeight === undefined || weightOf === undefined) return this.queue.splice(0);
    let weight = 0;
    let n = 0;
    while (n < this.queue.length) {
      const w = weightOf(this.queue[n]!.item);
      if (n > 0 && weight + w > maxWeight) break;
      weight += w;
      n++;
    }
    return this.queue.splice(0, n);
  }
}
