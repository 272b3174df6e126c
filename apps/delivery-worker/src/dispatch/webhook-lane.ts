import { RateLimiter } from './rate-limiter.js';

export interface LaneSettings {
  /** Concurrent calls to the endpoint. */
  maxInFlight: number;
  /** Items per call; above 1, a call waits up to `batchWaitMs` for the batch to fill. */
  batchSize: number;
  batchWaitMs: number;
  ratePerS?: number;
}

/**
 * The queue of one webhook: calls start while fewer than `maxInFlight` run and the rate limit
 * allows, so a slow or failing endpoint only ever waits on itself. Items wait here in memory
 * while their Kafka offsets stay uncommitted, so a crash loses none of them.
 */
export class WebhookLane<T> {
  private readonly queue: { item: T; at: number }[] = [];
  private inFlight = 0;
  private limiter: RateLimiter | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private settings: LaneSettings,
    private readonly run: (items: T[]) => Promise<void>,
    private readonly onIdle: () => void,
    /** False once the worker is stopping: queued items then stay unstarted (and uncommitted). */
    private readonly mayStart: () => boolean = () => true,
  ) {
    this.limiter = settings.ratePerS ? new RateLimiter(settings.ratePerS) : undefined;
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0;
  }

  /**
   * Milliseconds before the lane may be dropped: a lane made afresh starts with a full rate-limit
   * bucket, so dropping one whose bucket is not full yet would allow more calls than the rate.
   */
  get restMs(): number {
    return this.limiter?.msUntilFull() ?? 0;
  }

  get queued(): number {
    return this.queue.length;
  }

  configure(settings: LaneSettings): void {
    if (settings.ratePerS !== this.settings.ratePerS) this.limiter = settings.ratePerS ? new RateLimiter(settings.ratePerS) : undefined;
    this.settings = settings;
  }

  submit(item: T): void {
    this.queue.push({ item, at: Date.now() });
    this.pump();
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { maxInFlight, batchSize, batchWaitMs } = this.settings;
    while (this.queue.length > 0 && this.inFlight < maxInFlight && this.mayStart()) {
      const now = Date.now();
      if (batchSize > 1 && this.queue.length < batchSize) {
        const wait = this.queue[0]!.at + batchWaitMs - now;
        if (wait > 0) {
          this.timer = setTimeout(() => this.pump(), wait);
          return;
        }
      }
      if (this.limiter && !this.limiter.tryTake(now)) {
        this.timer = setTimeout(() => this.pump(), Math.max(1, this.limiter.waitMs(now)));
        return;
      }
      const items = this.queue.splice(0, batchSize).map((q) => q.item);
      this.inFlight++;
      this.run(items)
        .catch(() => undefined)
        .then(() => {
          this.inFlight--;
          this.pump();
          if (this.idle) this.onIdle();
        });
    }
  }
}
