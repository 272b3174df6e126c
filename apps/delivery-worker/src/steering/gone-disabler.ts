import type { Knex, Logger } from '@hookstream/service-kit';
import { disableWebhookFor, type WebhookCache, type WebhookRecord } from '@hookstream/store';
import type { LifecycleAnnouncer } from '../lifecycle/lifecycle-announcer.js';

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
    private readonly lifecycle: LifecycleAnnouncer,
    private readonly cache: WebhookCache,
    private readonly logger: Logger,
  ) {}

  async gone(webhook: WebhookRecord): Promise<void> {
    const changed = await disableWebhookFor(this.db, webhook.id, GONE);
    if (changed) {
      this.logger.warn({ webhook_id: webhook.id, tenant_id: changed.tenantId }, 'webhook disabled: its endpoint answered 410 Gone');
      await this.lifecycle.announce('jive:webhook_disabled', changed.tenantId, webhook.id, GONE);
    }
    await this.cache.refresh(webhook.id);
  }
}
