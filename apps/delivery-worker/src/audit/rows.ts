import type { DeliveryRow, DeliveryStatus } from '@hookstream/store';

export type { DeliveryRow, DeliveryStatus };

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
}

/** PostgreSQL text cannot hold NUL characters; partner responses sometimes do. */
export function dbText(value: string | undefined | null, max = 4096): string | null {
  if (value === undefined || value === null) return null;
  return value.replaceAll('\u0000', '').slice(0, max);
}

const STATUS_RANK: Record<DeliveryStatus, number> = { pending: 0, retrying: 1, delivered: 2, discarded: 2, skipped: 2 };

/**
 * Whether `a` is at least as recent a state as `b`: a later cycle, else more attempts, else a
 * final status over an intermediate one. The same ordering guards the upsert in SQL, so a
 * duplicate job processed late never moves a delivery back.
 */
export function isNewerOrSame(a: Pick<DeliveryRow, 'cycle' | 'attempts' | 'status'>, b: Pick<DeliveryRow, 'cycle' | 'attempts' | 'status'>): boolean {
  if (a.cycle !== b.cycle) return a.cycle > b.cycle;
  if (a.attempts !== b.attempts) return a.attempts > b.attempts;
  return STATUS_RANK[a.status] >= STATUS_RANK[b.status];
}
