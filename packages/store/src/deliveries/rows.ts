import type { DeliveryJob } from '@hookstream/schemas';

export type DeliveryStatus = 'pending' | 'delivered' | 'retrying' | 'discarded' | 'skipped';

/** The current state of one delivery (`deliveries`, one row per delivery id). */
export interface DeliveryRow {
  id: string;
  tenant_id: string;
  event_id: string;
  webhook_id: string;
  event_type: string;
  status: DeliveryStatus;
  cycle: number;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  body: Record<string, unknown>;
  finished_at: Date | null;
  /**
   * When the matcher made the delivery (its job's `created_at`, ISO 8601); absent, the time it is
   * first recorded. Whoever records a delivery first (the matcher skipping it for a buggy webhook,
   * or the worker), it gets the time it was matched, so the order of `created_at` is the order the
   * events were read in: the order a recovery replays skipped deliveries in (#17.4).
   */
  created_at?: string;
}

/**
 * A job's `deliveries` row before this attempt's outcome is known: the attempts made so far,
 * nothing recorded of them. The matcher (skipped for a buggy webhook) and the worker (every
 * outcome) both start from it, so a delivery reads the same whoever wrote it.
 */
export function deliveryRowOf(job: DeliveryJob, status: DeliveryStatus): DeliveryRow {
  return {
    id: job.delivery_id,
    tenant_id: job.tenant_id,
    event_id: job.event_id,
    webhook_id: job.webhook_id,
    event_type: job.event_type,
    status,
    cycle: job.cycle ?? 0,
    attempts: job.attempt - 1,
    last_status_code: null,
    last_error: null,
    next_attempt_at: null,
    body: job.body,
    finished_at: null,
    created_at: job.created_at,
  };
}

/** One HTTP attempt (`delivery_attempts`). */
export interface AttemptRow {
  delivery_id: string;
  tenant_id: string;
  webhook_id: string;
  cycle: number;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  outcome: string;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  response_excerpt: string | null;
  /** The wait the receiver asked for with `Retry-After` (clamped to 24 h), when it sent one. */
  retry_after_ms?: number | null;
  /** The request's headers with every credential replaced by `[redacted]`. */
  request_headers?: Record<string, string> | null;
}
