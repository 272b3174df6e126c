/**
 * Group commit: one flush runs at a time, and everything submitted while it runs waits for the
 * next flush, which carries all of it (up to `maxWeight`, e.g. rows per statement). So a burst
 * of concurrent callers costs one round trip per flush instead of one each, with no timer: an
 * idle queue flushes at once, a busy one gathers while the previous flush is out.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve(result: R): void; reject(e: unknown): void }[] = [];
  private running: Promise<void> | undefined;

  /**
   * `flush` gets the items of one group in submission order and answers one result per item,
   * in the same order; when it throws, every item of the group is rejected with the error.
   */
  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: { maxWeight?: number; weightOf?: (item: T) => number } = {},
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Whether a flush runs or items wait. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves once nothing waits and no flush runs (what was submitted before is answered). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Yield once, so `running` is set before anything below can finish (even a flush that
    // throws synchronously), and callers of the same tick join the first group.
    await Promise.resolve();
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        try {
          const results = await this.flush(group.map((p) => p.item));
          group.forEach((p, i) => p.resolve(results[i]!));
        } catch (e) {
          for (const p of group) p.reject(e);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** The next group: the oldest items whose weights fit in maxWeight (a heavier single item goes alone). */
  private takeGroup(): GroupCommit<T, R>['queue'] {
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
