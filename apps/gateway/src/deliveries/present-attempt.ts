import type { DeliveryAttemptRow } from '@hookstream/store';

/**
 * One HTTP call of a delivery as the API shows it: the tenant's delivery history and the
 * operator's dead-letter detail answer the same shape, so the portal and the console read it alike.
 */
export function presentAttempt(a: DeliveryAttemptRow): Record<string, unknown> {
  return {
    cycle: a.cycle,
    attempt: a.attempt,
    started_at: new Date(a.started_at).toISOString(),
    duration_ms: a.duration_ms,
    outcome: a.outcome,
    status_code: a.status_code,
    error: a.error_class || a.error_message ? { class: a.error_class, message: a.error_message } : null,
    response_excerpt: a.response_excerpt,
    // The receiver's Retry-After (ms, at most 24 h): why the next attempt came later than the back-off.
    retry_after_ms: a.retry_after_ms ?? null,
    // As sent, every credential already `[redacted]` by the worker (null for attempts recorded before 0011).
    request_headers: a.request_headers ?? null,
  };
}
