import type { Knex } from '@hookstream/service-kit';
import type { AttemptRow, DeliveryRow } from './rows.js';
import { statusRankSql } from './status.js';

const DELIVERY_COLUMNS = [
  'id',
  'tenant_id',
  'event_id',
  'webhook_id',
  'event_type',
  'status',
  'cycle',
  'attempts',
  'last_status_code',
  'last_error',
  'next_attempt_at',
  'body',
  'finished_at',
] as const;
/** Every column of `delivery_attempts`, in insert order (the history reads a subset of them). */
export const ATTEMPT_COLUMNS = [
  'delivery_id',
  'tenant_id',
  'webhook_id',
  'cycle',
  'attempt',
  'started_at',
  'duration_ms',
  'outcome',
  'status_code',
  'error_class',
  'error_message',
  'response_excerpt',
] as const;

function placeholders(rows: number, cols: number, casts: Record<number, string> = {}): string {
  const one = `(${Array.from({ length: cols }, (_, i) => `?${casts[i] ?? ''}`).join(', ')})`;
  return Array.from({ length: rows }, () => one).join(', ');
}

/** The worker's audit batch: delivery states and attempts committed together, or not at all. */
export async function writeAuditBatch(db: Knex, deliveries: readonly DeliveryRow[], attempts: readonly AttemptRow[]): Promise<void> {
  await db.transaction(async (trx) => {
    if (deliveries.length) await upsertDeliveries(trx, deliveries);
    if (attempts.length) await insertAttempts(trx, attempts);
  });
}

/**
 * Inserts or advances delivery states in one statement. A row only replaces a stored one at
 * least as recent (cycle, attempts, status rank), so a late duplicate never moves it back.
 */
export async function upsertDeliveries(db: Knex, rows: readonly DeliveryRow[]): Promise<void> {
  const bindings = rows.flatMap((r) => DELIVERY_COLUMNS.map((c) => (c === 'body' ? JSON.stringify(r.body) : r[c])));
  const bodyIndex = DELIVERY_COLUMNS.indexOf('body');
  await db.raw(
    `INSERT INTO deliveries (${DELIVERY_COLUMNS.join(', ')}) VALUES ${placeholders(rows.length, DELIVERY_COLUMNS.length, { [bodyIndex]: '::jsonb' })}
     ON CONFLICT (id) DO UPDATE SET
       status = EXCLUDED.status, cycle = EXCLUDED.cycle, attempts = EXCLUDED.attempts,
       last_status_code = EXCLUDED.last_status_code, last_error = EXCLUDED.last_error,
       next_attempt_at = EXCLUDED.next_attempt_at, body = EXCLUDED.body,
       finished_at = EXCLUDED.finished_at, updated_at = now()
     WHERE (EXCLUDED.cycle, EXCLUDED.attempts, ${statusRankSql('EXCLUDED.status')})
        >= (deliveries.cycle, deliveries.attempts, ${statusRankSql('deliveries.status')})`,
    bindings,
  );
}

/** Records attempts; one already recorded (same delivery, cycle and attempt) is left as it is. */
export async function insertAttempts(db: Knex, rows: readonly AttemptRow[]): Promise<void> {
  const bindings = rows.flatMap((r) => ATTEMPT_COLUMNS.map((c) => r[c]));
  await db.raw(
    `INSERT INTO delivery_attempts (${ATTEMPT_COLUMNS.join(', ')}) VALUES ${placeholders(rows.length, ATTEMPT_COLUMNS.length)}
     ON CONFLICT (delivery_id, cycle, attempt) DO NOTHING`,
    bindings,
  );
}

/** Inserts deliveries not recorded yet (the matcher's skipped ones); an existing row wins. */
export async function insertDeliveriesIfAbsent(db: Knex, rows: readonly DeliveryRow[]): Promise<void> {
  await db('deliveries')
    .insert(rows as DeliveryRow[])
    .onConflict('id')
    .ignore();
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): retrying the same rows cannot help. */
export function isRejectedRowError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
