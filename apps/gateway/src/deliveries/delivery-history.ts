import { createDeliveryJob, deliveryId, encodeDeliveryJobRecord, type DeliveryJob } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import {
  deliveriesForReplay,
  getIndexedEvent,
  getTenantWebhook,
  replayJobsOf,
  getTenantDelivery,
  lastDeliveryCycle,
  listDeliveryAttempts,
  listWebhookDeliveries,
  tenantDeliveriesByIds,
  webhookExists,
  webhookHasHistory,
  type DeliveryHistoryRow,
} from '@hookstream/store';
import { Conflict, NotFound, Unavailable } from '../domain/errors.js';
import type { EventProducer } from '../ingest/event-producer.js';
import { isUuid } from '../webhooks/webhook-service.js';
import { presentAttempt } from './present-attempt.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'retrying', 'discarded', 'skipped'] as const;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function presentDelivery(r: DeliveryHistoryRow): Record<string, unknown> {
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
  async forWebhook(
    tenantId: string,
    webhookId: string,
    opts: { status?: string; eventType?: string; since?: Date; until?: Date; startIndex: number; count: number },
  ) {
    if (!isUuid(webhookId)) throw new NotFound('webhook');
    if (!(await webhookHasHistory(this.db, tenantId, webhookId))) throw new NotFound('webhook');
    const rows = await listWebhookDeliveries(this.db, tenantId, webhookId, {
      status: opts.status,
      eventType: opts.eventType,
      since: opts.since,
      until: opts.until,
      offset: opts.startIndex,
      limit: opts.count + 1,
    });
    return rows.map(presentDelivery);
  }

  private async row(tenantId: string, id: string): Promise<DeliveryHistoryRow> {
    if (!isUuid(id)) throw new NotFound('delivery');
    const row = await getTenantDelivery(this.db, tenantId, id);
    if (!row) throw new NotFound('delivery');
    return row;
  }

  async get(tenantId: string, id: string): Promise<Record<string, unknown>> {
    const row = await this.row(tenantId, id);
    const attempts = await listDeliveryAttempts(this.db, tenantId, id);
    return {
      ...presentDelivery(row),
      body: row.body,
      attempts: attempts.map(presentAttempt),
    };
  }

  /** Queues one new attempt now, as a new cycle, with the body that was recorded. */
  async retry(tenantId: string, id: string): Promise<{ delivery_id: string; cycle: number; attempt: number }> {
    const row = await this.row(tenantId, id);
    if (!row.body) throw new Conflict('this delivery has no recorded body to send again');
    if (!(await webhookExists(this.db, tenantId, row.webhook_id))) throw new Conflict('the webhook of this delivery was deleted; it cannot be retried');
    const cycle = (await lastDeliveryCycle(this.db, id)) + 1;
    const job: DeliveryJob = {
      ...createDeliveryJob({ event_id: row.event_id, tenant_id: tenantId, webhook_id: row.webhook_id, event_type: row.event_type, body: row.body }),
      cycle,
      attempt: 1,
    };
    if (job.delivery_id !== row.id) job.delivery_id = row.id;
    try {
      await this.producer.publish(this.deliveriesTopic, [encodeDeliveryJobRecord(job, { replay: 'api' })]);
    } catch {
      throw new Unavailable('the event broker did not acknowledge the delivery job; nothing was queued, retry the request', 1);
    }
    return { delivery_id: row.id, cycle, attempt: 1 };
  }

  /**
   * "Recover everything that failed since ...": every delivery of the webhook created in the
   * window that ended `discarded` (the statuses of a dead letter), queued again oldest first as
   * the CLI's `replay` does (the same store selection), marked `hookstream-replay: api`.
   */
  async recover(tenantId: string, webhookId: string, since: Date, until: Date | undefined): Promise<{ replayed: number }> {
    if (!isUuid(webhookId)) throw new NotFound('webhook');
    const webhook = await getTenantWebhook(this.db, tenantId, webhookId);
    if (!webhook) throw new NotFound('webhook');
    if (!webhook.enabled) throw new Conflict('the webhook is disabled: enable it before recovering its deliveries (they would only be skipped again)');
    const rows = await deliveriesForReplay(this.db, webhookId, since, ['discarded'], { until, tenantId });
    if (rows.length === 0) return { replayed: 0 };
    try {
      await this.producer.publish(
        this.deliveriesTopic,
        replayJobsOf(rows).map((j) => encodeDeliveryJobRecord(j, { replay: 'api' })),
      );
    } catch {
      throw new Unavailable('the event broker did not acknowledge the recovered deliveries; nothing may have been queued, retry the request', 1);
    }
    return { replayed: rows.length };
  }

  /** An event as the matcher indexed it, with each matched webhook's delivery status. */
  async event(tenantId: string, eventId: string, acceptedAt: Date | undefined): Promise<Record<string, unknown>> {
    const ev = await getIndexedEvent(this.db, tenantId, eventId);
    if (!ev) {
      if (!acceptedAt) throw new NotFound('event');
      return { id: eventId, status: 'accepted', accepted_at: acceptedAt.toISOString(), matched: false, deliveries: [], filtered_webhooks: [] };
    }
    const webhookIds = ev.matched_webhooks ?? [];
    const ids = webhookIds.map((w) => deliveryId(eventId, w));
    const rows = await tenantDeliveriesByIds(this.db, tenantId, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return {
      id: ev.id,
      type: ev.type,
      source: ev.source,
      subject: ev.subject,
      time: iso(ev.time),
      received_at: iso(ev.received_at),
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
      // Webhooks routed this event whose payload filter rejected it: no delivery exists for them (issue 19.1).
      filtered_webhooks: ev.filtered_webhooks ?? [],
    };
  }
}
