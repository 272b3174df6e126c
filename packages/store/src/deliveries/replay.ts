import type { DeliveryJob } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';

/** A recorded delivery the CLI can send again, with the last cycle its attempts reached. */
export interface ReplayableDelivery {
  id: string;
  event_id: string;
  tenant_id: string;
  webhook_id: string;
  event_type: string;
  body: Record<string, unknown>;
  /** Highest cycle it reached (its recorded attempts' or its own row's); 0 before any replay. */
  cycle: number | null;
}

/**
 * A webhook's deliveries created since a time (optionally before `until`, of one tenant, only some
 * statuses), oldest first; rows without a body cannot be replayed. The CLI's `replay` and
 * `dlq replay`, and the API's recover and dead-letter replays, all select through it.
 */
export async function deliveriesForReplay(
  db: Knex,
  webhookId: string,
  since: Date,
  statuses?: readonly string[],
  opts: { until?: Date; tenantId?: string; deliveryId?: string } = {},
): Promise<ReplayableDelivery[]> {
  const q = db('deliveries as d').where('d.webhook_id', webhookId).andWhere('d.created_at', '>=', since).whereNotNull('d.body').orderBy('d.created_at').select(
    'd.id',
    'd.event_id',
    'd.tenant_id',
    'd.webhook_id',
    'd.event_type',
    'd.body',
    // Per row through the (delivery_id, cycle, attempt) key, not a grouping of every attempt.
    db.raw('greatest(d.cycle, (SELECT max(a.cycle) FROM delivery_attempts a WHERE a.delivery_id = d.id)) AS cycle'),
  );
  if (statuses?.length) q.whereIn('d.status', statuses as string[]);
  if (opts.until) q.andWhere('d.created_at', '<', opts.until);
  if (opts.tenantId) q.andWhere('d.tenant_id', opts.tenantId);
  if (opts.deliveryId) q.andWhere('d.id', opts.deliveryId);
  return (await q) as ReplayableDelivery[];
}

/** Jobs sending selected deliveries again: attempt 1 of a new cycle each, due now, with the recorded body. */
export function replayJobsOf(rows: readonly ReplayableDelivery[]): DeliveryJob[] {
  const now = new Date().toISOString();
  return rows.map((r) => ({
    v: 1 as const,
    delivery_id: r.id,
    event_id: r.event_id,
    tenant_id: r.tenant_id,
    webhook_id: r.webhook_id,
    event_type: r.event_type,
    attempt: 1,
    cycle: (r.cycle ?? 0) + 1,
    due_at: 0,
    created_at: now,
    body: r.body,
  }));
}
