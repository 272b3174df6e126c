/** Where a tenant's requests are counted and its part of the limit is looked up. */
export interface RateShare {
  note(key: string): void;
  /** The part of the rate and burst this instance may grant to `key`, in (0, 1]. */
  share(key: string): number;
}

/**
 * Token buckets per key (tenant): `ratePerS` tokens flow in per second up to `burst`.
 * Alone, the state is per process (N instances grant N times the rate); with a `RateShare`
 * each instance grants its part of the rate, so together they grant it once.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly ratePerS: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly split?: RateShare,
  ) {}

  /** Takes one token; when none is left, returns the seconds until one is. */
  take(key: string): { ok: true } | { ok: false; retryAfterS: number } {
    this.split?.note(key);
    const part = this.partOf(key);
    const rate = this.ratePerS * part;
    const burst = Math.max(1, this.burst * part);
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: burst, at: t };
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / rate)) };
  }

  private partOf(key: string): number {
    return Math.min(1, Math.max(0.001, this.split?.share(key) ?? 1));
  }

  /** Drops full buckets (idle tenants) so the map does not grow without bound. */
  sweep(): void {
    const t = this.now();
    for (const [k, b] of this.buckets) {
      const part = this.partOf(k);
      if (b.tokens + ((t - b.at) / 1000) * this.ratePerS * part >= Math.max(1, this.burst * part)) this.buckets.delete(k);
    }
  }
}
