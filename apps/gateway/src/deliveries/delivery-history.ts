import { createDeliveryJob, deliveryId, type DeliveryJob } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import { HttpError, notFound } from '../http/errors.js';
import type { EventProducer } from '../ingest/event-producer.js';
import { isUuid } from '../webhooks/webhook-service.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'retrying', 'discarded', 'skipped'] as const;

interface DeliveryRow {
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

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function presentDelivery(r: DeliveryRow): Record<string, unknown> {
  return {
    id: r.id,
    event_id: r.event_id,
    webhook_id: r.webhook_id,
    event_type: r.event_type,
    status: r.status,
    attempts: r.attempts,
    last_status_code: r.last_status_code,
    last_error: r.last_error,
    next_attempt_at: iso(r.next_attempt_at),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    finished_at: iso(r.finished_at),
  };
}

/** The read side of what the matcher and the delivery worker record, plus manual retry. */
export class DeliveryHistory {
  constructor(
    private readonly db: Knex,
    private readonly producer: EventProducer,
    private readonly deliveriesTopic: string,
  ) {}

  /** Deliveries of a webhook, newest first. The history outlives a deleted webhook. */
  async forWebhook(tenantId: string, webhookId: string, opts: { status?: string; since?: Date; startIndex: number; count: number }) {
    if (!isUuid(webhookId)) throw notFound('webhook');
    const exists =
      (await this.db('webhooks').where({ tenant_id: tenantId, id: webhookId }).first('id')) ??
      (await this.db('deliveries').where({ tenant_id: tenantId, webhook_id: webhookId }).first('id'));
    if (!exists) throw notFound('webhook');
    const q = this.db<DeliveryRow>('deliveries').where({ tenant_id: tenantId, webhook_id: webhookId });
    if (opts.status) q.where({ status: opts.status });
    if (opts.since) q.where('created_at', '>=', opts.since);
    const rows = await q
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
      .offset(opts.startIndex)
      .limit(opts.count + 1);
    return rows.map(presentDelivery);
  }

  private async row(tenantId: string, id: string): Promise<DeliveryRow> {
    if (!isUuid(id)) throw notFound('delivery');
    const row = await this.db<DeliveryRow>('deliveries').where({ tenant_id: tenantId, id }).first();
    if (!row) throw notFound('delivery');
    return row;
  }

  async get(tenantId: string, id: string): Promise<Record<string, unknown>> {
    const row = await this.row(tenantId, id);
    const attempts = await this.db('delivery_attempts')
      .where({ delivery_id: id, tenant_id: tenantId })
      .orderBy([{ column: 'cycle' }, { column: 'attempt' }])
      .select('cycle', 'attempt', 'started_at', 'duration_ms', 'outcome', 'status_code', 'error_class', 'error_message', 'response_excerpt');
    return {
      ...presentDelivery(row),
      body: row.body,
      attempts: attempts.map((a: Record<string, unknown>) => ({
        cycle: a.cycle,
        attempt: a.attempt,
        started_at: iso(a.started_at as Date),
        duration_ms: a.duration_ms,
        outcome: a.outcome,
        status_code: a.status_code,
        error: a.error_class || a.error_message ? { class: a.error_class, message: a.error_message } : null,
        response_excerpt: a.response_excerpt,
      })),
    };
  }

  /** Queues one new attempt now, as a new cycle, with the body that was recorded. */
  async retry(tenantId: string, id: string): Promise<{ delivery_id: string; cycle: number; attempt: number }> {
    const row = await this.row(tenantId, id);
    if (!row.body) throw new HttpError(409, 'this delivery has no recorded body to send again');
    const webhook = await this.db('webhooks').where({ tenant_id: tenantId, id: row.webhook_id }).first('id');
    if (!webhook) throw new HttpError(409, 'the webhook of this delivery was deleted; it cannot be retried');
    const { max } = (await this.db('delivery_attempts').where({ delivery_id: id }).max('cycle as max').first()) as { max: number | null };
    const cycle = (max ?? 0) + 1;
    const job: DeliveryJob = {
      ...createDeliveryJob({ event_id: row.event_id, tenant_id: tenantId, webhook_id: row.webhook_id, event_type: row.event_type, body: row.body }),
      cycle,
      attempt: 1,
    };
    if (job.delivery_id !== row.id) job.delivery_id = row.id;
    try {
      await this.producer.send(this.deliveriesTopic, [{ key: row.webhook_id, value: JSON.stringify(job) }]);
    } catch {
      throw new HttpError(503, 'the event broker did not acknowledge the delivery job; nothing was queued, retry the request', undefined, {
        'retry-after': '1',
      });
    }
    return { delivery_id: row.id, cycle, attempt: 1 };
  }

  /** An event as the matcher indexed it, with each matched webhook's delivery status. */
  async event(tenantId: string, eventId: string, acceptedAt: Date | undefined): Promise<Record<string, unknown>> {
    const ev = await this.db('events').where({ tenant_id: tenantId, id: eventId }).first();
    if (!ev) {
      if (!acceptedAt) throw notFound('event');
      return { id: eventId, status: 'accepted', accepted_at: acceptedAt.toISOString(), matched: false, deliveries: [] };
    }
    const webhookIds = (ev.matched_webhooks as string[]) ?? [];
    const ids = webhookIds.map((w) => deliveryId(eventId, w));
    const rows = ids.length ? await this.db<DeliveryRow>('deliveries').whereIn('id', ids).where({ tenant_id: tenantId }) : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return {
      id: ev.id,
      type: ev.type,
      source: ev.source,
      subject: ev.subject,
      time: iso(ev.time as Date | null),
      received_at: iso(ev.received_at as Date),
      ...(acceptedAt ? { accepted_at: acceptedAt.toISOString() } : {}),
      status: 'matched',
      matched: true,
      deliveries: webhookIds.map((w, i) => {
        const d = byId.get(ids[i]!);
        return {
          webhook_id: w,
          delivery_id: ids[i],
          status: d?.status ?? 'pending',
          attempts: d?.attempts ?? 0,
          last_status_code: d?.last_status_code ?? null,
          updated_at: iso(d?.updated_at ?? null),
        };
      }),
    };
  }
}
