import type { CallSlots } from './call-slots.js';
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
 *
 * Urgent items (retries, which have a due time) go before the others: a retry that waited
 * its back-off must not then wait behind a backlog of first attempts to the same endpoint.
 */
export class WebhookLane<T> {
  private readonly urgent: { item: T; at: number }[] = [];
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
    /** The worker-wide bound on calls in flight, shared by all lanes. */
    private readonly slots?: CallSlots,
  ) {
    this.limiter = settings.ratePerS ? new RateLimiter(settings.ratePerS) : undefined;
  }

  get idle(): boolean {
    return this.queued === 0 && this.inFlight === 0;
  }

  /**
   * Milliseconds before the lane may be dropped: a lane made afresh starts with a full rate-limit
   * bucket, so dropping one whose bucket is not full yet would allow more calls than the rate.
   */
  get restMs(): number {
    return this.limiter?.msUntilFull() ?? 0;
  }

  get queued(): number {
    return this.urgent.length + this.queue.length;
  }

  configure(settings: LaneSettings): void {
    if (settings.ratePerS !== this.settings.ratePerS) this.limiter = settings.ratePerS ? new RateLimiter(settings.ratePerS) : undefined;
    this.settings = settings;
  }

  submit(item: T, urgent = false): void {
    (urgent ? this.urgent : this.queue).push({ item, at: Date.now() });
    this.pump();
  }

  /** Up to `n` items, urgent ones first. */
  private take(n: number): T[] {
    const items = this.urgent.splice(0, n);
    if (items.length < n) items.push(...this.queue.splice(0, n - items.length));
    return items.map((q) => q.item);
  }

  private readonly wake = () => this.pump();

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { maxInFlight, batchSize, batchWaitMs } = this.settings;
    while (this.queued > 0 && this.inFlight < maxInFlight && this.mayStart()) {
      const now = Date.now();
      if (batchSize > 1 && this.queued < batchSize) {
        const oldest = Math.min(this.urgent[0]?.at ?? Infinity, this.queue[0]?.at ?? Infinity);
        const wait = oldest + batchWaitMs - now;
        if (wait > 0) {
          this.timer = setTimeout(() => this.pump(), wait);
          return;
        }
      }
      if (this.slots && !this.slots.tryTake()) {
        this.slots.wait(this.wake, this.urgent.length > 0);
        return;
      }
      if (this.limiter && !this.limiter.tryTake(now)) {
        this.slots?.release();
        this.timer = setTimeout(() => this.pump(), Math.max(1, this.limiter.waitMs(now)));
        return;
      }
      const items = this.take(batchSize);
      this.inFlight++;
      // run() records its own failures; a throw past it is a bug, left to the process's
      // unhandled-rejection handler (log fatal, exit, a fresh process takes over).
      void this.run(items)
        .catch(() => undefined)
        .then(() => {
          this.inFlight--;
          // Other lanes waiting for a slot go first; this one queues behind them if it has more.
          this.slots?.release();
          this.pump();
          if (this.idle) this.onIdle();
        });
    }
  }
}
