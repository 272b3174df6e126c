import { decodedBodyJson } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import type { AttemptRow, DeliveryRow } from './rows.js';
import { pooledQuery } from '../pooled-query.js';
import { rowsDocument } from '../rows-document.js';
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
  created_at: 'timestamptz',
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
 * A batch is sent as one JSON document (an array of the rows as objects) and spread back into
 * rows by `jsonb_to_recordset`: one binding whatever the batch size, serialised by one native
 * `JSON.stringify` (a row's body and request headers are nested JSON, not strings inside it).
 * As one placeholder per value (6,500 for 500 deliveries), knex's placeholder rewriting and pg's
 * per-value preparation were the worker's largest cost after its HTTP client (about 0.05 ms of
 * CPU per delivery); as one array per column, pg still escaped every element (the JSON bodies
 * and headers quote by quote) and formatted every date, and each body and header set was
 * serialised on its own. Measured alone (500 deliveries and 500 attempts a batch): worker CPU
 * 25 -> 17 us per delivery, PostgreSQL 40 -> 42 us (`jsonb` rather than `json`: parsed once).
 */
function recordsetOf(types: Record<string, string>): string {
  return `jsonb_to_recordset(?::jsonb) AS r(${Object.entries(types)
    .map(([column, type]) => `${column} ${type}`)
    .join(', ')})`;
}
// The rows name their body by its index in a second document (see deliveryRowsDocuments).
const { body: _bodyType, ...DELIVERY_ROW_TYPES } = DELIVERY_COLUMN_TYPES;
const DELIVERY_ROWS = recordsetOf({ ...DELIVERY_ROW_TYPES, body_at: 'int' });
// A row without its matching time is stamped when first recorded (the column's default); an
// existing row keeps its time (the upsert below never sets it).
const DELIVERY_VALUES = DELIVERY_COLUMNS.map((column) =>
  column === 'body' ? '(?::jsonb) -> r.body_at' : column === 'created_at' ? 'coalesce(r.created_at, now())' : `r.${column}`,
).join(', ');
const ATTEMPT_ROWS = recordsetOf(ATTEMPT_COLUMN_TYPES);

/** Bindings: the bodies' document, then the rows' (see deliveryRowsDocuments). */
const UPSERT_DELIVERIES = `INSERT INTO deliveries (${DELIVERY_COLUMNS.join(', ')}) SELECT ${DELIVERY_VALUES} FROM ${DELIVERY_ROWS}
   ON CONFLICT (id) DO UPDATE SET
     status = EXCLUDED.status, cycle = EXCLUDED.cycle, attempts = EXCLUDED.attempts,
     last_status_code = EXCLUDED.last_status_code, last_error = EXCLUDED.last_error,
     next_attempt_at = EXCLUDED.next_attempt_at, body = EXCLUDED.body,
     finished_at = EXCLUDED.finished_at, updated_at = now()
   WHERE (EXCLUDED.cycle, EXCLUDED.attempts, ${statusRankSql('EXCLUDED.status')})
      >= (deliveries.cycle, deliveries.attempts, ${statusRankSql('deliveries.status')})`;

/** Binding: the attempts' document. */
const INSERT_ATTEMPTS = `INSERT INTO delivery_attempts (${ATTEMPT_COLUMNS.join(', ')}) SELECT ${ATTEMPT_COLUMNS.join(', ')} FROM ${ATTEMPT_ROWS}
   ON CONFLICT (delivery_id, cycle, attempt) DO NOTHING`;

/** knex's `?` placeholders numbered `$1`, `$2`, ... in order, for pg's own query (no other `?` is in these statements). */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/**
 * Both in one statement (see writeAuditBatch); bindings: the bodies' and the rows' documents, then
 * the attempts'. Prepared once per connection (see pooledQuery): it runs for every flush.
 */
const AUDIT_BATCH = numbered(`WITH delivery_states AS (${UPSERT_DELIVERIES}) ${INSERT_ATTEMPTS}`);

/**
 * The worker's audit batch: delivery states and attempts committed together, or not at all. When
 * there are both, they go as one statement (the states' upsert as a data-modifying `WITH`, the
 * attempts' insert as its main query), which is atomic as a transaction is, without the BEGIN and
 * COMMIT round trips, knex's transaction object and a connection held across four statements.
 * The two parts write different tables and read nothing of each other.
 */
export async function writeAuditBatch(db: Knex, deliveries: readonly DeliveryRow[], attempts: readonly AttemptRow[]): Promise<void> {
  if (deliveries.length === 0) {
    if (attempts.length > 0) await insertAttempts(db, attempts);
    return;
  }
  if (attempts.length === 0) {
    await upsertDeliveries(db, deliveries);
    return;
  }
  const documents = deliveryRowsDocuments(deliveries);
  await pooledQuery(db, AUDIT_BATCH, [documents.bodies, documents.rows, rowsDocument(attempts)], 'hookstream_write_audit_batch');
}

/**
 * The deliveries as two documents (see rowsDocument): the rows without their bodies, each naming
 * its body by `body_at`, its index in the second, the batch's distinct bodies. The hundred rows of
 * a fan-out event share one body object (the worker decodes it once, see `SharedMemberParser`),
 * and sending it once per row was most of the statement's bytes: built, copied into the protocol
 * buffer and parsed again by PostgreSQL for every row. A body that a job record carried as text
 * (`decodedBodyJson`) goes in as that text; a row without a body has no `body_at` (NULL).
 */
export function deliveryRowsDocuments(rows: readonly DeliveryRow[]): { rows: string; bodies: string } {
  const indexOf = new Map<object, number>();
  const bodies: string[] = [];
  const parts: string[] = [];
  for (const row of rows) {
    const { body, ...rest } = row;
    // `rest` always holds the id, so its text is never `{}`.
    const members = JSON.stringify(rest).slice(1);
    if (body === null || body === undefined) {
      parts.push(`{${members}`);
      continue;
    }
    let at = indexOf.get(body);
    if (at === undefined) {
      at = bodies.length;
      indexOf.set(body, at);
      bodies.push(decodedBodyJson(body) ?? JSON.stringify(body));
    }
    parts.push(`{"body_at":${at},${members}`);
  }
  return { rows: `[${parts.join(',')}]`, bodies: `[${bodies.join(',')}]` };
}

/**
 * Inserts or advances delivery states in one statement. A row only replaces a stored one at
 * least as recent (cycle, attempts, status rank), so a late duplicate never moves it back.
 */
export async function upsertDeliveries(db: Knex, rows: readonly DeliveryRow[]): Promise<void> {
  const documents = deliveryRowsDocuments(rows);
  await db.raw(UPSERT_DELIVERIES, [documents.bodies, documents.rows]);
}

/** Records attempts; one already recorded (same delivery, cycle and attempt) is left as it is. */
export async function insertAttempts(db: Knex, rows: readonly AttemptRow[]): Promise<void> {
  await db.raw(INSERT_ATTEMPTS, [rowsDocument(rows)]);
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
