import type { DeliveryJob } from '@hookstream/schemas';
import type { CliContext } from '../context.js';

/** Jobs re-creating a webhook's recorded deliveries since a time (optionally of some statuses). */
export async function deliveriesToReplay(ctx: CliContext, webhookId: string, since: Date, statuses?: string[]): Promise<DeliveryJob[]> {
  const q = ctx
    .db('deliveries as d')
    .leftJoin(ctx.db('delivery_attempts').select('delivery_id').max({ cycle: 'cycle' }).groupBy('delivery_id').as('a'), 'a.delivery_id', 'd.id')
    .where('d.webhook_id', webhookId)
    .andWhere('d.created_at', '>=', since)
    .whereNotNull('d.body')
    .orderBy('d.created_at')
    .select('d.id', 'd.event_id', 'd.tenant_id', 'd.webhook_id', 'd.event_type', 'd.body', 'a.cycle');
  if (statuses?.length) q.whereIn('d.status', statuses);
  const rows = (await q) as {
    id: string;
    event_id: string;
    tenant_id: string;
    webhook_id: string;
    event_type: string;
    body: Record<string, unknown>;
    cycle: number | null;
  }[];
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
