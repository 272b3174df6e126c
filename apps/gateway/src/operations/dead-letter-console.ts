import { encodeDeliveryJobRecord } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import {
  deliveriesForReplay,
  getDeadLetter,
  listDeadLetters,
  listDeliveryAttempts,
  replayJobsOf,
  type DeadLetterPosition,
  type DeadLetterRow,
} from '@hookstream/store';
import { NotFound, Unavailable } from '../domain/errors.js';
import type { EventProducer } from '../ingest/event-producer.js';
import { presentAttempt } from '../deliveries/present-attempt.js';
import { isUuid } from '../webhooks/webhook-service.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function presentDeadLetter(r: DeadLetterRow): Record<string, unknown> {
  return {
    delivery_id: r.id,
    webhook_id: r.webhook_id,
    tenant_id: r.tenant_id,
    event_id: r.event_id,
    event_type: r.event_type,
    reason: r.last_error,
    last_status_code: r.last_status_code,
    attempts: r.attempts,
    cycle: r.cycle,
    dead_lettered_at: iso(r.finished_at),
  };
}

/** An opaque page cursor: where the last page ended, as base64url JSON. */
export function encodeCursor(p: DeadLetterPosition): string {
  return Buffer.from(JSON.stringify([p.finished_key, p.id])).toString('base64url');
}

/** The position a cursor names; undefined when it is not one this API handed out. */
export function decodeCursor(cursor: string): DeadLetterPosition | undefined {
  try {
    const [finished_key, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof finished_key === 'string' && typeof id === 'string' && isUuid(id) && !Number.isNaN(Date.parse(finished_key))) return { finished_key, id };
  } catch {
    // Not JSON: not a cursor.
  }
  return undefined;
}

/**
 * The console's view of dead letters (#20): deliveries that ended on `deliveries.dlq`, read from
 * the audit (the worker records each as `discarded` with its body), and their replay, which is
 * the CLI's `dlq replay`: attempt 1 of a new cycle on `deliveries`, marked `hookstream-replay: api`.
 */
export class DeadLetterConsole {
  constructor(
    private readonly db: Knex,
    private readonly producer: EventProducer,
    private readonly deliveriesTopic: string,
  ) {}

  async list(opts: { webhookId?: string; tenantId?: string; limit: number; after?: DeadLetterPosition }) {
    const rows = await listDeadLetters(this.db, {
      webhookId: opts.webhookId,
      tenantId: opts.tenantId,
      after: opts.after,
      limit: opts.limit + 1,
    });
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return { data: page.map(presentDeadLetter), next_cursor: rows.length > opts.limit && last ? encodeCursor(last) : null };
  }

  async get(deliveryId: string): Promise<Record<string, unknown>> {
    const row = isUuid(deliveryId) ? await getDeadLetter(this.db, deliveryId) : undefined;
    if (!row) throw new NotFound('dead letter');
    const attempts = await listDeliveryAttempts(this.db, row.tenant_id, deliveryId);
    return {
      ...presentDeadLetter(row),
      payload: row.body,
      attempts: attempts.map(presentAttempt),
    };
  }

  /** Replays one dead letter; 404 when the delivery did not end dead-lettered (or was replayed since). */
  async replayOne(deliveryId: string): Promise<{ replayed: number }> {
    const row = isUuid(deliveryId) ? await getDeadLetter(this.db, deliveryId) : undefined;
    if (!row) throw new NotFound('dead letter');
    return this.replay(await deliveriesForReplay(this.db, row.webhook_id, new Date(0), ['discarded'], { deliveryId }));
  }

  /** Replays every dead letter of a webhook, oldest first (the topic is keyed by webhook, so in that order). */
  async replayWebhook(webhookId: string): Promise<{ replayed: number }> {
    if (!isUuid(webhookId)) throw new NotFound('webhook');
    return this.replay(await deliveriesForReplay(this.db, webhookId, new Date(0), ['discarded']));
  }

  private async replay(rows: Parameters<typeof replayJobsOf>[0]): Promise<{ replayed: number }> {
    if (rows.length === 0) return { replayed: 0 };
    try {
      await this.producer.publish(
        this.deliveriesTopic,
        replayJobsOf(rows).map((j) => encodeDeliveryJobRecord(j, { replay: 'api' })),
      );
    } catch {
      throw new Unavailable('the event broker did not acknowledge the replayed deliveries; nothing may have been queued, retry the request', 1);
    }
    return { replayed: rows.length };
  }
}
