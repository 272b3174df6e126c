import { EndpointThrottle } from '../../src/dispatch/endpoint-throttle.js';
import { redactedHeaders } from '../../src/http/request-headers.js';
import { isThrottleStatus, MAX_RETRY_AFTER_MS, nextAttemptDelayMs, retryAfterMs } from '../../src/retry/retry-after.js';

describe('Retry-After', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');

  it('reads delay-seconds and HTTP dates, clamps to 24 h, and ignores what it cannot read', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs('Sat, 05 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Saturday, 05-Dec-26 12:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Sat, 05 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('999999999', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('Sat, 02 Jan 2027 00:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    for (const bad of [undefined, '', '-5', '1.5', '+3', 'soon', '3 s']) expect(retryAfterMs(bad, now)).toBeUndefined();
  });

  it('is never shorter than the normal back-off', () => {
    expect(nextAttemptDelayMs(1000, 3000)).toBe(3000);
    expect(nextAttemptDelayMs(8000, 3000)).toBe(8000);
    expect(nextAttemptDelayMs(8000, undefined)).toBe(8000);
  });

  it('429, 502, 503 and 504 are the overloaded statuses', () => {
    expect([429, 502, 503, 504].every(isThrottleStatus)).toBe(true);
    expect([200, 410, 500, 501, undefined].some(isThrottleStatus)).toBe(false);
  });
});

describe('EndpointThrottle', () => {
  it('halves on each overloaded answer down to 1, then adds one per round of successes up to the ceiling', () => {
    const t = new EndpointThrottle(10);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      t.throttled(10);
      seen.push(t.limit);
    }
    expect(seen).toEqual([5, 2, 1, 1, 1]);
    // 1 success -> 2, 2 more -> 3, 3 more -> 4: additive, one step per round.
    const after: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.succeeded(10);
      after.push(t.limit);
    }
    expect(after).toEqual([2, 2, 3, 3, 3, 4]);
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) recovered = t.succeeded(10);
    expect(recovered).toBe(true);
    expect(t.limit).toBe(10);
  });

  it('halves from the current ceiling when that is lower than its own limit', () => {
    const t = new EndpointThrottle(10);
    t.throttled(4);
    expect(t.limit).toBe(2);
  });
});

describe('request headers in the delivery history', () => {
  it('replaces every credential by [redacted] and keeps the rest, the signature included', () => {
    const shown = redactedHeaders(
      {
        'content-type': 'application/json',
        'webhook-id': 'd1',
        'webhook-attempt': '2',
        'webhook-signature': 'v1,abc=',
        'X-Partner-Key': 'k-123',
        authorization: 'Bearer t0k3n',
        'x-openweb-notification-event-webhook-token': 's3cret',
        cookie: 'sid=1',
        'x-api-key': 'k',
      },
      ['x-partner-key'],
    );
    expect(shown).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'd1',
      'webhook-attempt': '2',
      'webhook-signature': 'v1,abc=',
      'x-partner-key': '[redacted]',
      authorization: '[redacted]',
      'x-openweb-notification-event-webhook-token': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
    });
  });

  it('redacts a credential name given in any case, and only for the call it is a credential of', () => {
    expect(redactedHeaders({ 'X-Partner': 'p-1', 'webhook-id': 'd1' }, ['X-PARTNER'])).toEqual({ 'x-partner': '[redacted]', 'webhook-id': 'd1' });
    // The same name without being a credential of this call (another webhook's plain header) keeps its value.
    expect(redactedHeaders({ 'x-partner': 'p-2' })).toEqual({ 'x-partner': 'p-2' });
    expect(redactedHeaders({ 'x-partner': 'p-3' }, ['x-partner'])).toEqual({ 'x-partner': '[redacted]' });
  });
});
