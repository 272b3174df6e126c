export interface FetchWaitBounds {
  /** The wait while jobs flow: bounds how late a resumed partition is read. */
  baseMs: number;
  /** The longest wait once fetches keep coming back empty. */
  idleMaxMs: number;
  /** The wait while a partition is paused because it is saturated (default: the base). */
  saturatedMs?: number;
}

export interface FetchState {
  /** Jobs are in flight. */
  busy: boolean;
  /** A partition is paused because its unfinished jobs reached their bound: it is resumed as soon as half are done. */
  saturated?: boolean;
  /** Time until the earliest held partition is resumed, if one is held. */
  msUntilResume?: number;
}

/**
 * How long the next fetch may long-poll. A fetch returns as soon as a record reaches any
 * partition it reads, so the wait only matters for partitions it does not read: paused ones
 * that are resumed while it waits are read when it ends. Idle, that is every partition, and
 * 32 of them polled every 200 ms cost the idle worker more than a percent of a core; so the
 * wait doubles with every fetch started with nothing in flight and nothing new since the last
 * one, and falls back to the base for the fetch after records or a resume. It never outlasts
 * a held partition's resume, so retries are read as early as with the base wait.
 *
 * While a partition is paused for saturation, the fetches read only the other partitions, which
 * are mostly empty (the retry tiers): each one waited the whole base wait, and the resumed
 * partition was read only after it. Under full load every partition cycled through that, and
 * delivered events/s stalled at about half of what the machine could do (bench pipeline:
 * 2,220/s with a 200 ms wait, 4,100-4,650 with 20-25 ms); so the wait is short then.
 */
export class FetchWait {
  private current: number;
  private woken = false;

  constructor(private readonly bounds: FetchWaitBounds) {
    this.current = bounds.baseMs;
  }

  /** Records arrived or a partition was resumed. */
  wake(): void {
    this.woken = true;
  }

  /** The wait of the fetch about to start; called once per fetch. */
  next(state: FetchState): number {
    const { baseMs, idleMaxMs } = this.bounds;
    if (state.saturated) {
      this.woken = false;
      this.current = baseMs;
      return Math.min(baseMs, this.bounds.saturatedMs ?? baseMs);
    }
    if (state.busy || this.woken) {
      this.woken = false;
      this.current = baseMs;
      return baseMs;
    }
    this.current = Math.max(baseMs, Math.min(idleMaxMs, this.current * 2));
    if (state.msUntilResume === undefined) return this.current;
    return Math.max(baseMs, Math.min(this.current, state.msUntilResume));
  }
}
