import { randomUUID } from 'node:crypto';
import { canonicalEventType, CLOUDEVENTS_SPECVERSION, encodeEventRecord, eventTypeDescriptions, type CloudEvent } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import { currentWebhookChangeSeq, getTenantWebhook } from '@hookstream/store';
import { Conflict, InvalidInput, NotFound, Unavailable } from '../domain/errors.js';
import type { EventProducer } from '../ingest/event-producer.js';
import { isUuid } from './webhook-service.js';

/**
 * "Send a test event" (issue 20): an event of a catalogue type with the catalogue's example data,
 * put on `events` marked for one webhook (`hookstream-test-webhook`), so the matcher delivers it
 * to that webhook only and its attempt appears in that webhook's history like any other.
 */
export class TestEventSender {
  constructor(
    private readonly db: Knex,
    private readonly producer: EventProducer,
    private readonly eventsTopic: string,
    private readonly publicUrl: string,
  ) {}

  async send(tenantId: string, webhookId: string, type: string): Promise<{ event_id: string }> {
    if (!isUuid(webhookId)) throw new NotFound('webhook');
    const canonical = canonicalEventType(type);
    const example = canonical && eventTypeDescriptions().find((t) => t.type === canonical)?.example;
    if (!canonical || !example) {
      throw new InvalidInput('invalid test event request', [
        { path: '/type', message: 'must be an event type of the catalogue (GET /v1/event-types)', rule: 'enum' },
      ]);
    }
    const webhook = await getTenantWebhook(this.db, tenantId, webhookId);
    if (!webhook) throw new NotFound('webhook');
    if (!webhook.enabled) throw new Conflict('the webhook is disabled: enable it to send it a test event');
    const id = randomUUID();
    const data = structuredClone(example);
    // A notification's own event_id is what the receiver deduplicates on: the test's id, not the example's.
    if (typeof data.event_id === 'string') data.event_id = id;
    const event: CloudEvent = {
      specversion: CLOUDEVENTS_SPECVERSION,
      id,
      source: `${this.publicUrl.replace(/\/+$/, '')}/v1/webhooks/${webhookId}/test-events`,
      type: canonical,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      tenantid: tenantId,
      data,
    };
    const seq = await currentWebhookChangeSeq(this.db);
    try {
      await this.producer.publish(this.eventsTopic, [
        encodeEventRecord(event, { testWebhookId: webhookId, ...(seq !== undefined ? { webhooksSeq: seq } : {}) }),
      ]);
    } catch {
      throw new Unavailable('the event broker did not acknowledge the test event; nothing was sent, retry the request', 1);
    }
    return { event_id: id };
  }
}
