import { eventKey, webhookLifecycleEvent, type WebhookLifecycleVerb } from '@hookstream/schemas';
import type { Knex, Logger, TopicNames } from '@hookstream/service-kit';
import type { WebhookCache, WebhookRecord } from '@hookstream/store';
import type { Producer } from 'kafkajs';
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
    private readonly producer: Producer,
    private readonly topics: TopicNames,
    private readonly cache: WebhookCache,
    private readonly logger: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly threshold: number,
    private readonly publicUrl: string,
  ) {}

  async discarded(webhook: WebhookRecord): Promise<void> {
    const { rows } = await this.db.raw<{ rows: { marked: boolean; tenant_id: string; consecutive_failures: number }[] }>(
      `WITH prev AS (SELECT id, buggy FROM webhooks WHERE id = ? FOR UPDATE)
       UPDATE webhooks w SET
         consecutive_failures = w.consecutive_failures + 1,
         buggy = w.buggy OR w.consecutive_failures + 1 >= ?,
         marked_buggy_at = CASE WHEN NOT w.buggy AND w.consecutive_failures + 1 >= ? THEN now() ELSE w.marked_buggy_at END,
         revision = CASE WHEN NOT w.buggy AND w.consecutive_failures + 1 >= ? THEN w.revision + 1 ELSE w.revision END,
         updated_at = CASE WHEN NOT w.buggy AND w.consecutive_failures + 1 >= ? THEN now() ELSE w.updated_at END
       FROM prev WHERE w.id = prev.id
       RETURNING (w.buggy AND NOT prev.buggy) AS marked, w.tenant_id, w.consecutive_failures`,
      [webhook.id, this.threshold, this.threshold, this.threshold, this.threshold],
    );
    const row = rows[0];
    if (!row?.marked) return;
    this.metrics.markedBuggy.inc();
    this.logger.warn({ webhook_id: webhook.id, tenant_id: row.tenant_id, consecutive_discards: row.consecutive_failures }, 'webhook marked buggy');
    await this.publish('jive:webhook_marked_buggy', row.tenant_id, webhook.id);
    await this.cache.refresh(webhook.id);
  }

  async succeeded(webhook: WebhookRecord): Promise<void> {
    if (webhook.consecutiveFailures === 0 || this.resetting.has(webhook.id)) return;
    this.resetting.add(webhook.id);
    try {
      await this.db.raw('UPDATE webhooks SET consecutive_failures = 0 WHERE id = ? AND consecutive_failures > 0', [webhook.id]);
    } finally {
      this.resetting.delete(webhook.id);
    }
  }

  private async publish(verb: WebhookLifecycleVerb, tenantId: string, webhookId: string): Promise<void> {
    const event = webhookLifecycleEvent({ verb, tenantId, webhookId, publicUrl: this.publicUrl, by: 'delivery-worker' });
    await this.producer.send({
      topic: this.topics.events,
      acks: -1,
      messages: [{ key: eventKey(event), value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json' } }],
    });
  }
}
