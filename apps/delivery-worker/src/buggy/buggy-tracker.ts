import { encodeEventRecord, webhookLifecycleEvent, type WebhookLifecycleVerb } from '@hookstream/schemas';
import type { Knex, Logger, Publisher, TopicNames } from '@hookstream/service-kit';
import { countWebhookDiscard, resetWebhookDiscards, type WebhookCache, type WebhookRecord } from '@hookstream/store';
import type { WorkerMetrics } from '../metrics.js';

/**
 * Counts consecutive discarded deliveries per webhook in its row (so every worker shares the
 * count) and marks the webhook buggy at the threshold, telling the tenant with a
 * `jive:webhook_marked_buggy` system event. A delivered call resets the count.
 */
export class BuggyTracker {
  private readonly resetting = new Set<string>();

  constructor(
    private readonly db: Knex,
    /** The worker's one Publisher: its sends must not interleave with this one's (see Publisher). */
    private readonly publisher: Publisher,
    private readonly topics: TopicNames,
    private readonly cache: WebhookCache,
    private readonly logger: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly threshold: number,
    private readonly publicUrl: string,
  ) {}

  async discarded(webhook: WebhookRecord): Promise<void> {
    const row = await countWebhookDiscard(this.db, webhook.id, this.threshold);
    if (!row?.markedBuggy) return;
    this.metrics.markedBuggy.inc();
    this.logger.warn({ webhook_id: webhook.id, tenant_id: row.tenantId, consecutive_discards: row.consecutiveFailures }, 'webhook marked buggy');
    await this.publish('jive:webhook_marked_buggy', row.tenantId, webhook.id);
    await this.cache.refresh(webhook.id);
  }

  async succeeded(webhook: WebhookRecord): Promise<void> {
    if (webhook.consecutiveFailures === 0 || this.resetting.has(webhook.id)) return;
    this.resetting.add(webhook.id);
    try {
      await resetWebhookDiscards(this.db, webhook.id);
    } finally {
      this.resetting.delete(webhook.id);
    }
  }

  private async publish(verb: WebhookLifecycleVerb, tenantId: string, webhookId: string): Promise<void> {
    const event = webhookLifecycleEvent({ verb, tenantId, webhookId, publicUrl: this.publicUrl, by: 'delivery-worker' });
    await this.publisher.publish([{ topic: this.topics.events, messages: [encodeEventRecord(event)] }]);
  }
}
