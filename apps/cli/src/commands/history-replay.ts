import type { DeliveryJob } from '@hookstream/schemas';
import { deliveriesForReplay } from '@hookstream/store';
import type { CliContext } from '../context.js';

/** Jobs re-creating a webhook's recorded deliveries since a time (optionally of some statuses). */
export async function deliveriesToReplay(ctx: CliContext, webhookId: string, since: Date, statuses?: string[]): Promise<DeliveryJob[]> {
  const rows = await deliveriesForReplay(ctx.db, webhookId, since, statuses);
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
