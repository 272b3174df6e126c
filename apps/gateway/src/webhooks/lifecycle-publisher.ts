import { encodeEventRecord, webhookLifecycleEvent, type WebhookLifecycleVerb } from '@hookstream/schemas';
import type { EventProducer } from '../ingest/event-producer.js';
import { Unavailable } from '../domain/errors.js';
import type { GatewayMetrics } from '../http/metrics.js';

/**
 * Publishes the webhook system events (`jive:webhook_created`, ...) of a tenant to the events
 * topic, where they reach the tenant's `webhook` system webhooks through the matcher.
 */
export class LifecyclePublisher {
  constructor(
    private readonly producer: EventProducer,
    private readonly eventsTopic: string,
    private readonly publicUrl: string,
    private readonly metrics: GatewayMetrics,
  ) {}

  async publish(tenantId: string, webhookId: string, verbs: WebhookLifecycleVerb[]): Promise<void> {
    if (verbs.length === 0) return;
    const events = verbs.map((verb) => webhookLifecycleEvent({ verb, tenantId, webhookId, publicUrl: this.publicUrl, by: 'gateway' }));
    try {
      await this.producer.publish(
        this.eventsTopic,
        events.map((e) => encodeEventRecord(e)),
      );
    } catch {
      // Thrown inside the change's transaction: the change is rolled back with it.
      throw new Unavailable('the event broker did not acknowledge the webhook system event; nothing was changed, retry the request', 1);
    }
    for (const verb of verbs) this.metrics.lifecycleEvents.inc({ verb });
  }
}
