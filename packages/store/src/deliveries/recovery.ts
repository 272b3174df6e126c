import type { DeliveryJob } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import type { ReplayableDelivery } from './replay.js';
import { insertAttempts } from './writes.js';

/**
 * How the matcher and the worker begin the reason of a delivery they skipped because its
 * webhook was marked buggy (`deliveries.last_error`); a skip because the webhook or its tenant
 * was disabled says otherwise and is not recovered on re-enable.
 */
export const BUGGY_SKIP_REASON_PREFIX = 'webhook is marked buggy';

/** Where a page of skipped deliveries ended: the next page starts after it. */
export interface RecoveryCursor {
  /** As PostgreSQL prints it: a Date would drop the microseconds and repeat the page. */
  created_key: string;
  seq: string;
  id: string;
}

/** A delivery skipped while its webhook was buggy, with what replaying it needs. */
export interface SkippedDelivery extends Omit<ReplayableDelivery, 'cycle'> {
  cycle: number;
  last_error: string;
  finished_at: Date | null;
  updated_at: Date;
  created_at: Date;
  created_key: string;
  /** bigint as text; '0' for rows recorded before deliveries were numbered. */
  seq: string;
}

/**
 * One page of a webhook's deliveries skipped because it was buggy, skipped at or after `since`
 * (a delivery already retrying when the webhook was marked is skipped at its next attempt), in
 * the order they were first recorded (publication order); keyset-paged (deliveries_skipped_idx)
 * so a webhook that skipped 100k deliveries is read in bounded pages.
 */
export async function skippedWhileBuggy(
  db: Knex,
  tenantId: string,
  webhookId: string,
  since: Date,
  after: RecoveryCursor | undefined,
  limit: number,
): Promise<SkippedDelivery[]> {
  const q = db('deliveries')
    .where({ tenant_id: tenantId, webhook_id: webhookId, status: 'skipped' })
    .andWhere('updated_at', '>=', since)
    .andWhere('last_error', 'like', `${BUGGY_SKIP_REASON_PREFIX}%`)
    .whereNotNull('body');
  if (after) q.andWhereRaw('(created_at, coalesce(seq, 0), id) > (?::timestamptz, ?::bigint, ?::uuid)', [after.created_key, after.seq, after.id]);
  return (await q
    .orderBy([{ column: 'created_at' }, { column: db.raw('coalesce(seq, 0)') as unknown as string }, { column: 'id' }])
    .limit(limit)
    .select(
      'id',
      'event_id',
      'tenant_id',
      'webhook_id',
      'event_type',
      'body',
      'cycle',
      'last_error',
      'finished_at',
      'updated_at',
      'created_at',
      db.raw('created_at::text as created_key'),
      db.raw('coalesce(seq, 0)::text as seq'),
    )) as SkippedDelivery[];
}

/**
 * Keeps each skip in the delivery's history once it is replayed (the replay's outcome then
 * replaces the row's status and reason): an attempt row of the skipped cycle, attempt 0
 * (never sent), outcome `skipped`, class `recovered`, message the reason. Idempotent.
 */
export async function recordRecoveredSkips(db: Knex, rows: readonly SkippedDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await insertAttempts(
    db,
    rows.map((r) => ({
      delivery_id: r.id,
      tenant_id: r.tenant_id,
      webhook_id: r.webhook_id,
      cycle: r.cycle,
      attempt: 0,
      started_at: r.finished_at ?? r.updated_at,
      duration_ms: 0,
      outcome: 'skipped',
      status_code: null,
      error_class: 'recovered',
      error_message: r.last_error,
      response_excerpt: null,
    })),
  );
}

/**
 * The job that sends a skipped delivery again: same delivery id (receivers deduplicate on it),
 * the next cycle, attempt 1, stamped with the re-enabled webhook's revision so a worker whose
 * cache still holds the buggy row reloads it instead of skipping the job again.
 */
export function recoveryJob(d: SkippedDelivery, webhookRevision: number, now = new Date()): DeliveryJob {
  return {
    v: 1,
    delivery_id: d.id,
    event_id: d.event_id,
    tenant_id: d.tenant_id,
    webhook_id: d.webhook_id,
    webhook_revision: webhookRevision,
    event_type: d.event_type,
    attempt: 1,
    cycle: d.cycle + 1,
    due_at: 0,
    created_at: now.toISOString(),
    body: d.body,
  };
}

/** Deliveries read, queued and recorded per round: bounds memory and each broker send. */
export const RECOVERY_BATCH = 500;

/**
 * Walks what a webhook skipped while buggy (since `since`) page by page in publication order:
 * `queue` sends a page's jobs (and must resolve only once the broker has them), then the page's
 * skips are recorded as recovered and the next page is read. Nothing beyond one page is held in
 * memory, and a page that failed to queue stays `skipped`. Resolves to how many were queued.
 */
export async function recoverSkippedDeliveries(
  db: Knex,
  target: { tenantId: string; webhookId: string; since: Date; webhookRevision: number },
  queue: (jobs: DeliveryJob[], queuedSoFar: number) => Promise<void>,
  batch = RECOVERY_BATCH,
): Promise<number> {
  let queued = 0;
  let after: RecoveryCursor | undefined;
  for (;;) {
    const page = await skippedWhileBuggy(db, target.tenantId, target.webhookId, target.since, after, batch);
    if (page.length === 0) return queued;
    const now = new Date();
    await queue(
      page.map((d) => recoveryJob(d, target.webhookRevision, now)),
      queued,
    );
    await recordRecoveredSkips(db, page);
    queued += page.length;
    const last = page[page.length - 1]!;
    after = { created_key: last.created_key, seq: last.seq, id: last.id };
    if (page.length < batch) return queued;
  }
}
