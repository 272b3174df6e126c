/**
 * Token bucket: `ratePerS` calls per second on average, bursts up to one second's worth
 * (at least one call).
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly ratePerS: number,
    now = Date.now(),
  ) {
    this.capacity = Math.max(1, ratePerS);
    this.tokens = this.capacity;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerS);
    this.last = now;
  }

  /** Takes a token if one is available. */
  tryTake(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until the bucket is full again (0 when it is). */
  msUntilFull(now = Date.now()): number {
    this.refill(now);
    return Math.max(0, Math.ceil(((this.capacity - this.tokens) / this.ratePerS) * 1000));
  }

  /** Milliseconds until a token is available. */
  waitMs(now = Date.now()): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerS) * 1000);
  }
}
