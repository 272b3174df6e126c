import { RateLimiter } from '../../src/dispatch/rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst of one second worth, then one call per 1/rate seconds', () => {
    const r = new RateLimiter(2, 0);
    expect(r.tryTake(0)).toBe(true);
    expect(r.tryTake(0)).toBe(true);
    expect(r.tryTake(0)).toBe(false);
    expect(r.waitMs(0)).toBe(500);
    expect(r.tryTake(499)).toBe(false);
    expect(r.tryTake(500)).toBe(true);
  });

  it('allows at least one call for rates below one per second', () => {
    const r = new RateLimiter(0.5, 0);
    expect(r.tryTake(0)).toBe(true);
    expect(r.tryTake(1000)).toBe(false);
    expect(r.waitMs(1000)).toBe(1000);
    expect(r.tryTake(2000)).toBe(true);
  });
});

describe('RateLimiter.msUntilFull', () => {
  it('is 0 for a full bucket and the refill time after calls', () => {
    const limiter = new RateLimiter(5, 0);
    expect(limiter.msUntilFull(0)).toBe(0);
    expect(limiter.tryTake(0)).toBe(true);
    expect(limiter.tryTake(0)).toBe(true);
    // Two tokens taken at 5 per second: full again after 400 ms.
    expect(limiter.msUntilFull(0)).toBe(400);
    expect(limiter.msUntilFull(400)).toBe(0);
  });
});
