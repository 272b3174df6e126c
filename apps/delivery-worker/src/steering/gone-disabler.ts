import { encodeEventRecord, webhookLifecycleEvent } from '@hookstream/schemas';
import type { Knex, Logger, Publisher, TopicNames } from '@hookstream/service-kit';
import { disableWebhookFor, type WebhookCache, type WebhookRecord } from '@hookstream/store';

/** The reason recorded for a webhook disabled because its endpoint answered 410 Gone. */
export const GONE = 'gone';

/**
 * A receiver answering `410 Gone` has retired its endpoint (the Standard Webhooks spec: stop
 * sending): the webhook is disabled at once in its row (the change feed tells every process),
 * `jive:webhook_disabled` with reason `gone` goes to the tenant's system webhooks once (whichever
 * worker saw the 410 first), and this worker's cache is refreshed before the next call to it
 * starts. Enabling it again through the API clears the reason.
 */
export class GoneDisabler {
  constructor(
    private readonly db: Knex,
    /** The worker's one Publisher. */
    private readonly publisher: Publisher,
    private readonly topics: TopicNames,
    private readonly cache: WebhookCache,
    private readonly logger: Logger,
    private readonly publicUrl: string,
  ) {}

  async gone(webhook: WebhookRecord): Promise<void> {
    const changed = await disableWebhookFor(this.db, webhook.id, GONE);
    if (changed) {
      this.logger.warn({ webhook_id: webhook.id, tenant_id: changed.tenantId }, 'webhook disabled: its endpoint answered 410 Gone');
      const event = webhookLifecycleEvent({
        verb: 'jive:webhook_disabled',
        tenantId: changed.tenantId,
        webhookId: webhook.id,
        publicUrl: this.publicUrl,
        by: 'delivery-worker',
        reason: GONE,
      });
      await this.publisher.publish([{ topic: this.topics.events, messages: [encodeEventRecord(event)] }]);
    }
    await this.cache.refresh(webhook.id);
  }
}
