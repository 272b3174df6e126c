import { RETRY_TIER_MS } from '@hookstream/service-kit';
import { canRetry, holdUntil, retryDelayMs, tierFor } from '../../src/retry/backoff.js';

describe('retry backoff', () => {
  it('waits retry_base^n seconds after failed attempt n', () => {
    expect(retryDelayMs(2, 1)).toBe(2000);
    expect(retryDelayMs(2, 5)).toBe(32_000);
    expect(retryDelayMs(1, 3)).toBe(1000);
    expect(retryDelayMs(5, 10)).toBe(9_765_625_000);
  });

  it('retries attempts 1..retry_max_count; retry_max_count 0 means one attempt only', () => {
    expect(canRetry(1, 0)).toBe(false);
    expect(canRetry(1, 2)).toBe(true);
    expect(canRetry(2, 2)).toBe(true);
    expect(canRetry(3, 2)).toBe(false);
  });
});

describe('retry tiers', () => {
  it('picks the largest tier that fits in the time left, the 1s tier below one second', () => {
    expect(tierFor(-5)).toBe('1s');
    expect(tierFor(300)).toBe('1s');
    expect(tierFor(1000)).toBe('1s');
    expect(tierFor(4999)).toBe('1s');
    expect(tierFor(5000)).toBe('5s');
    expect(tierFor(32_000)).toBe('30s');
    expect(tierFor(119_999)).toBe('30s');
    expect(tierFor(3 * 3_600_000)).toBe('1h');
    expect(tierFor(9_765_625_000)).toBe('6h');
  });

  it('holds a message for its tier delay or until it is due, whichever comes first', () => {
    expect(holdUntil('5s', 1_000, 100_000)).toBe(1_000 + RETRY_TIER_MS['5s']);
    expect(holdUntil('1s', 1_000, 1_300)).toBe(1_300);
    expect(holdUntil('30s', 0, 10)).toBe(10);
  });

  it('never releases a job before it is due when it hops down the tiers', () => {
    // Simulate the hops of a 37 s retry: each hop waits its tier delay, the last one until due.
    const due = 37_000;
    let now = 0;
    const hops: string[] = [];
    while (now < due) {
      const tier = tierFor(due - now);
      hops.push(tier);
      now = holdUntil(tier, now, due);
    }
    expect(now).toBe(due);
    expect(hops).toEqual(['30s', '5s', '1s', '1s']);
  });
});
