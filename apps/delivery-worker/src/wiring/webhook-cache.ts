import type { ServiceContext } from '@hookstream/service-kit';
import { WebhookCache } from '@hookstream/store';
import type { WorkerConfig } from '../worker.js';

/** The webhooks loaded from PostgreSQL and kept fresh by its change feed; readiness waits for it. */
export async function startWebhookCache({ config, db, logger, health, onShutdown }: ServiceContext<WorkerConfig>): Promise<WebhookCache> {
  const cache = new WebhookCache(db, config.DATABASE_URL, logger);
  await cache.start();
  onShutdown('webhook-cache', () => cache.stop());
  health.add('webhook-cache', async () => {
    if (!cache.ready) throw new Error('webhook cache is not connected to PostgreSQL');
  });
  return cache;
}
