import type { Knex } from '@hookstream/service-kit';

/** A recorded delivery the CLI can send again, with the last cycle its attempts reached. */
export interface ReplayableDelivery {
  id: string;
  event_id: string;
  tenant_id: string;
  webhook_id: string;
  event_type: string;
  body: Record<string, unknown>;
  /** Highest cycle of its recorded attempts; null when it has none. */
  cycle: number | null;
}

/** A webhook's deliveries created since a time (optionally only some statuses), oldest first; rows without a body cannot be replayed. */
export async function deliveriesForReplay(db: Knex, webhookId: string, since: Date, statuses?: readonly string[]): Promise<ReplayableDelivery[]> {
  const q = db('deliveries as d')
    .leftJoin(db('delivery_attempts').select('delivery_id').max({ cycle: 'cycle' }).groupBy('delivery_id').as('a'), 'a.delivery_id', 'd.id')
    .where('d.webhook_id', webhookId)
    .andWhere('d.created_at', '>=', since)
    .whereNotNull('d.body')
    .orderBy('d.created_at')
    .select('d.id', 'd.event_id', 'd.tenant_id', 'd.webhook_id', 'd.event_type', 'd.body', 'a.cycle');
  if (statuses?.length) q.whereIn('d.status', statuses as string[]);
  return (await q) as ReplayableDelivery[];
}
