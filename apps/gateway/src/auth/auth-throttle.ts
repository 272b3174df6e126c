import { LruMap } from './lru.js';

export interface AuthThrottleOptions {
  /** Failed authentications an address may make within the window. */
  limit: number;
  windowMs: number;
  /** Addresses tracked at most; the least recently seen is forgotten first. */
  maxAddresses: number;
  now?: () => number;
}

/**
 * Counts failed authentications (wrong API key, wrong admin token) per client address over a
 * sliding window. Once an address reached the limit it is refused, whatever it sends, until its
 * oldest failure in the window expires: a right guess then answers the same as a wrong one, so
 * guessing gains nothing. Memory is bounded by `maxAddresses` (each keeps at most `limit`
 * timestamps).
 */
export class AuthFailureThrottle {
  private readonly failures: LruMap<string, number[]>;
  private readonly now: () => number;

  constructor(private readonly opts: AuthThrottleOptions) {
    this.failures = new LruMap(opts.maxAddresses);
    this.now = opts.now ?? (() => performance.now());
  }

  check(address: string): { ok: true } | { ok: false; retryAfterS: number } {
    const times = this.recent(address);
    if (!times || times.length < this.opts.limit) return { ok: true };
    const until = times[times.length - this.opts.limit]! + this.opts.windowMs;
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((until - this.now()) / 1000)) };
  }

  failed(address: string): void {
    const times = this.recent(address) ?? [];
    times.push(this.now());
    // Only the newest `limit` failures can decide a refusal.
    if (times.length > this.opts.limit) times.splice(0, times.length - this.opts.limit);
    this.failures.set(address, times);
  }

  get size(): number {
    return this.failures.size;
  }

  private recent(address: string): number[] | undefined {
    const times = this.failures.peek(address);
    if (!times) return undefined;
    const since = this.now() - this.opts.windowMs;
    while (times.length && times[0]! <= since) times.shift();
    if (times.length === 0) {
      this.failures.delete(address);
      return undefined;
    }
    return times;
  }
}
