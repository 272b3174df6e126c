import type { Knex } from '@hookstream/service-kit';
import type { AttemptRow, DeliveryRow } from './rows.js';
import { statusRankSql } from './status.js';

/** Every column the worker writes to `deliveries`, with its type (the statement's arrays are typed). */
const DELIVERY_COLUMN_TYPES = {
  id: 'uuid',
  tenant_id: 'uuid',
  event_id: 'text',
  webhook_id: 'uuid',
  event_type: 'text',
  status: 'text',
  cycle: 'int',
  attempts: 'int',
  last_status_code: 'int',
  last_error: 'text',
  next_attempt_at: 'timestamptz',
  body: 'jsonb',
  finished_at: 'timestamptz',
} as const;
const DELIVERY_COLUMNS = Object.keys(DELIVERY_COLUMN_TYPES) as (keyof typeof DELIVERY_COLUMN_TYPES)[];

const ATTEMPT_COLUMN_TYPES = {
  delivery_id: 'uuid',
  tenant_id: 'uuid',
  webhook_id: 'uuid',
  cycle: 'int',
  attempt: 'int',
  started_at: 'timestamptz',
  duration_ms: 'int',
  outcome: 'text',
  status_code: 'int',
  error_class: 'text',
  error_message: 'text',
  response_excerpt: 'text',
  retry_after_ms: 'int',
  request_headers: 'jsonb',
} as const;
/** Every column of `delivery_attempts`, in insert order (the history reads a subset of them). */
export const ATTEMPT_COLUMNS = Object.keys(ATTEMPT_COLUMN_TYPES) as (keyof typeof ATTEMPT_COLUMN_TYPES)[];

/*
 * A batch is sent as one array per column and spread back into rows by `unnest`: 13 bindings
 * whatever the batch size. As one placeholder per value (6,500 for 500 deliveries), knex's
 * placeholder rewriting and pg's per-value preparation were the worker's largest cost after
 * its HTTP client (about 0.05 ms of CPU per delivery).
 */
function unnestOf(types: Record<string, string>): string {
  return `unnest(${Object.values(types)
    .map((t) => `?::${t}[]`)
    .join(', ')})`;
}
const DELIVERY_ROWS = unnestOf(DELIVERY_COLUMN_TYPES);
const ATTEMPT_ROWS = unnestOf(ATTEMPT_COLUMN_TYPES);

function columnArrays<R>(rows: readonly R[], columns: readonly (keyof R)[], value: (r: R, c: keyof R) => unknown = (r, c) => r[c]): Knex.RawBinding[] {
  const arrays = columns.map(() => new Array<unknown>(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (let c = 0; c < columns.length; c++) arrays[c]![i] = value(row, columns[c]!) ?? null;
  }
  // pg sends each as a PostgreSQL array (typed by the statement's casts).
  return arrays as Knex.RawBinding[];
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
  const bindings = columnArrays(rows, DELIVERY_COLUMNS, (r, c) => (c === 'body' ? (r.body === undefined ? null : JSON.stringify(r.body)) : r[c]));
  await db.raw(
    `INSERT INTO deliveries (${DELIVERY_COLUMNS.join(', ')}) SELECT * FROM ${DELIVERY_ROWS}
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
  await db.raw(
    `INSERT INTO delivery_attempts (${ATTEMPT_COLUMNS.join(', ')}) SELECT * FROM ${ATTEMPT_ROWS}
     ON CONFLICT (delivery_id, cycle, attempt) DO NOTHING`,
    columnArrays(rows, ATTEMPT_COLUMNS, (r, c) => (c === 'request_headers' ? (r.request_headers ? JSON.stringify(r.request_headers) : null) : r[c])),
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
