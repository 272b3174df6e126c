import type { Knex, Logger } from '@hookstream/service-kit';
import { countWebhookDiscard, resetWebhookDiscards, type WebhookCache, type WebhookRecord } from '@hookstream/store';
import type { LifecycleAnnouncer } from '../lifecycle/lifecycle-announcer.js';
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
    private readonly lifecycle: LifecycleAnnouncer,
    private readonly cache: WebhookCache,
    private readonly logger: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly threshold: number,
  ) {}

  async discarded(webhook: WebhookRecord): Promise<void> {
    const row = await countWebhookDiscard(this.db, webhook.id, this.threshold);
    if (!row?.markedBuggy) return;
    this.metrics.markedBuggy.inc();
    this.logger.warn({ webhook_id: webhook.id, tenant_id: row.tenantId, consecutive_discards: row.consecutiveFailures }, 'webhook marked buggy');
    await this.lifecycle.announce('jive:webhook_marked_buggy', row.tenantId, webhook.id);
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
}
