import type { Knex } from '@hookstream/service-kit';
import type { AttemptRow } from './rows.js';
import { ATTEMPT_COLUMNS } from './writes.js';

/** A `deliveries` row as the gateway's delivery history reads it. */
export interface DeliveryHistoryRow {
  id: string;
  tenant_id: string;
  event_id: string;
  webhook_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  body: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

/** One recorded attempt (`delivery_attempts`) as the history shows it: the attempt row without the ids the caller already has. */
export type DeliveryAttemptRow = Omit<AttemptRow, (typeof HISTORY_OMITS)[number]>;
const HISTORY_OMITS = ['delivery_id', 'tenant_id', 'webhook_id'] as const;
const HISTORY_ATTEMPT_COLUMNS = ATTEMPT_COLUMNS.filter(
  (c): c is Exclude<(typeof ATTEMPT_COLUMNS)[number], (typeof HISTORY_OMITS)[number]> => !(HISTORY_OMITS as readonly string[]).includes(c),
);

/** True when the tenant has the webhook or had deliveries to it: the history outlives a deleted webhook. */
export async function webhookHasHistory(db: Knex, tenantId: string, webhookId: string): Promise<boolean> {
  return Boolean(
    (await db('webhooks').where({ tenant_id: tenantId, id: webhookId }).first('id')) ??
    (await db('deliveries').where({ tenant_id: tenantId, webhook_id: webhookId }).first('id')),
  );
}

/** A page of a webhook's deliveries, newest first. */
export async function listWebhookDeliveries(
  db: Knex,
  tenantId: string,
  webhookId: string,
  opts: { status?: string; eventType?: string; since?: Date; until?: Date; offset: number; limit: number },
): Promise<DeliveryHistoryRow[]> {
  const q = db<DeliveryHistoryRow>('deliveries').where({ tenant_id: tenantId, webhook_id: webhookId });
  if (opts.status) q.where({ status: opts.status });
  if (opts.eventType) q.where({ event_type: opts.eventType });
  if (opts.since) q.where('created_at', '>=', opts.since);
  if (opts.until) q.where('created_at', '<', opts.until);
  return (await q
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
    .offset(opts.offset)
    .limit(opts.limit)) as DeliveryHistoryRow[];
}

export async function getTenantDelivery(db: Knex, tenantId: string, id: string): Promise<DeliveryHistoryRow | undefined> {
  return (await db<DeliveryHistoryRow>('deliveries').where({ tenant_id: tenantId, id }).first()) as DeliveryHistoryRow | undefined;
}

/** The tenant's deliveries among `ids` (in no particular order). */
export async function tenantDeliveriesByIds(db: Knex, tenantId: string, ids: string[]): Promise<DeliveryHistoryRow[]> {
  if (ids.length === 0) return [];
  return (await db<DeliveryHistoryRow>('deliveries').whereIn('id', ids).where({ tenant_id: tenantId })) as DeliveryHistoryRow[];
}

/** A delivery's attempts in the order they were made. */
export async function listDeliveryAttempts(db: Knex, tenantId: string, deliveryId: string): Promise<DeliveryAttemptRow[]> {
  return (await db('delivery_attempts')
    .where({ delivery_id: deliveryId, tenant_id: tenantId })
    .orderBy([{ column: 'cycle' }, { column: 'attempt' }])
    .select(HISTORY_ATTEMPT_COLUMNS)) as DeliveryAttemptRow[];
}

/** The highest cycle any recorded attempt of the delivery belongs to; 0 when none was recorded. */
export async function lastDeliveryCycle(db: Knex, deliveryId: string): Promise<number> {
  const { max } = (await db('delivery_attempts').where({ delivery_id: deliveryId }).max('cycle as max').first()) as { max: number | null };
  return max ?? 0;
}
