/** The longest wait a receiver's `Retry-After` can impose: beyond it, retrying would stall the delivery for good. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The wait a `Retry-After` value asks for (RFC 9110 §10.2.3): delay-seconds, or an HTTP date
 * (IMF-fixdate and the obsolete forms `Date.parse` reads). Clamped to `MAX_RETRY_AFTER_MS`; a
 * date in the past is a wait of 0. Undefined when absent or unreadable: then the normal back-off applies.
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Number(v) * 1000);
  // A date must name a weekday or month; a bare number with a sign or a fraction is not one.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}

/** Statuses with which a receiver says it is overloaded: they throttle its endpoint. */
export function isThrottleStatus(status: number | undefined): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** The delay before the next attempt: the normal back-off, or the receiver's `Retry-After` when that is longer. */
export function nextAttemptDelayMs(backoffMs: number, askedMs: number | undefined): number {
  return askedMs === undefined ? backoffMs : Math.max(backoffMs, askedMs);
}
