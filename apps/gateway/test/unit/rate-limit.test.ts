import { RateLimiter } from '../../src/http/rate-limit.js';

describe('rate limiter (token bucket per tenant)', () => {
  it('allows the burst, then refuses with the seconds until the next token, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3].map(() => limiter.take('t').ok)).toEqual([true, true, true]);
    expect(limiter.take('t')).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take('other').ok).toBe(true);
    now += 500;
    expect(limiter.take('t').ok).toBe(true);
    expect(limiter.take('t').ok).toBe(false);
    now += 10_000;
    limiter.sweep();
    expect([1, 2, 3, 4].map(() => limiter.take('t').ok)).toEqual([true, true, true, false]);
  });

  it('rounds Retry-After up for slow rates', () => {
    const now = 0;
    const limiter = new RateLimiter(0.1, 1, () => now);
    limiter.take('t');
    expect(limiter.take('t')).toEqual({ ok: false, retryAfterS: 10 });
  });

  it('grants only its part of rate and burst when the limit is split between instances, and counts every request', () => {
    let now = 0;
    const noted: string[] = [];
    const parts: Record<string, number> = { t: 0.25 };
    const limiter = new RateLimiter(8, 8, () => now, { note: (k) => noted.push(k), share: (k) => parts[k] ?? 1 });
    // A quarter of a burst of 8: two at once, then one token every 0.5 s (a quarter of 8/s).
    expect([1, 2, 3].map(() => limiter.take('t').ok)).toEqual([true, true, false]);
    now += 500;
    expect([1, 2].map(() => limiter.take('t').ok)).toEqual([true, false]);
    // The split follows the traffic: back to the whole limit when this instance gets it all.
    parts.t = 1;
    now += 1000;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].filter(() => limiter.take('t').ok)).toHaveLength(8);
    expect(noted.filter((k) => k === 't')).toHaveLength(3 + 2 + 9);
  });
});
