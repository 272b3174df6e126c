import { encodeEventRecord, webhookLifecycleEvent, type WebhookLifecycleVerb } from '@hookstream/schemas';
import type { Publisher, TopicNames } from '@hookstream/service-kit';

/**
 * Tells a tenant's system webhooks what the worker decided about one of its webhooks (marked
 * buggy, disabled by a 410): a lifecycle event on the events topic, through the worker's one
 * Publisher so its sends do not interleave with the retry router's.
 */
export class LifecycleAnnouncer {
  constructor(
    private readonly publisher: Publisher,
    private readonly topics: TopicNames,
    private readonly publicUrl: string,
  ) {}

  async announce(verb: WebhookLifecycleVerb, tenantId: string, webhookId: string, reason?: string): Promise<void> {
    const event = webhookLifecycleEvent({
      verb,
      tenantId,
      webhookId,
      publicUrl: this.publicUrl,
      by: 'delivery-worker',
      ...(reason !== undefined ? { reason } : {}),
    });
    await this.publisher.publish([{ topic: this.topics.events, messages: [encodeEventRecord(event)] }]);
  }
}
