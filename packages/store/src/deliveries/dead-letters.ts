import type { Knex } from '@hookstream/service-kit';

/**
 * A delivery that ended dead-lettered. The worker writes `discarded` exactly when it puts the
 * job on `deliveries.dlq` (retries exhausted, a status that is not retried, 410 Gone, a job it
 * cannot send), with the body, so PostgreSQL answers what the topic would, paged and indexed.
 */
export interface DeadLetterRow {
  id: string;
  webhook_id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  /** Why: the delivery's last error as the worker recorded it. */
  last_error: string | null;
  last_status_code: number | null;
  attempts: number;
  cycle: number;
  finished_at: Date | null;
  /** `finished_at` as PostgreSQL prints it (microseconds kept), for the next page's cursor. */
  finished_key: string;
}

export interface DeadLetterPosition {
  finished_key: string;
  id: string;
}

const COLUMNS = ['id', 'webhook_id', 'tenant_id', 'event_id', 'event_type', 'last_error', 'last_status_code', 'attempts', 'cycle', 'finished_at'];

/**
 * Dead letters, newest first, optionally of one webhook and/or one tenant, keyset-paged after
 * `after` (deliveries_dead_letters_idx / deliveries_webhook_dead_letters_idx).
 */
export async function listDeadLetters(
  db: Knex,
  opts: { webhookId?: string; tenantId?: string; after?: DeadLetterPosition; limit: number },
): Promise<DeadLetterRow[]> {
  const q = db('deliveries').where({ status: 'discarded' }).whereNotNull('finished_at');
  if (opts.webhookId) q.andWhere({ webhook_id: opts.webhookId });
  if (opts.tenantId) q.andWhere({ tenant_id: opts.tenantId });
  if (opts.after) q.andWhereRaw('(finished_at, id) < (?::timestamptz, ?::uuid)', [opts.after.finished_key, opts.after.id]);
  return (await q
    .orderBy([
      { column: 'finished_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(opts.limit)
    .select([...COLUMNS, db.raw('finished_at::text AS finished_key')])) as DeadLetterRow[];
}

/** One dead letter with the body it would send; undefined when the delivery did not end dead-lettered. */
export async function getDeadLetter(db: Knex, deliveryId: string): Promise<(DeadLetterRow & { body: Record<string, unknown> | null }) | undefined> {
  return (await db('deliveries')
    .where({ id: deliveryId, status: 'discarded' })
    .first([...COLUMNS, 'body', db.raw('finished_at::text AS finished_key')])) as (DeadLetterRow & { body: Record<string, unknown> | null }) | undefined;
}
