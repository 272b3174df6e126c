/**
 * Shares rounds of an expensive check between callers that only need "a round that started
 * after time T". At most one round runs; callers that need a newer one than the running round
 * join the single round queued behind it. Under load, any number of callers cost at most two
 * rounds of waiting.
 */
export class RoundCoalescer {
  /** Start time of the latest round that completed. */
  private completedFrom = -Infinity;
  private running: { from: number; done: Promise<void> } | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Resolves once a round that started at or after `since` has completed; rejects with a failed round's error. */
  after(since: number): Promise<void> {
    if (this.completedFrom >= since) return Promise.resolve();
    const running = this.running;
    if (!running) return this.start();
    if (running.from >= since) return running.done;
    this.queued ??= running.done.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<void> {
    this.queued = undefined;
    return this.start();
  }

  private start(): Promise<void> {
    // Taken before the round begins, so a round covers every caller whose time is <= from.
    const from = this.now();
    const done = Promise.resolve()
      .then(() => this.round())
      .then(() => {
        if (from > this.completedFrom) this.completedFrom = from;
      });
    this.running = { from, done };
    const clear = () => {
      if (this.running?.done === done) this.running = undefined;
    };
    done.then(clear, clear);
    return done;
  }
}
