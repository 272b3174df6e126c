import type { ServiceContext } from '@hookstream/service-kit';
import { WebhookCache } from '@hookstream/store';
import type { MatcherConfig } from '../app.js';
import { feedIndex } from '../matching/index-feed.js';
import { SubscriptionIndex } from '../matching/subscription-index.js';

/**
 * The subscription index, fed by the webhook cache (loaded from PostgreSQL, then kept fresh by
 * LISTEN/NOTIFY); readiness waits for the cache.
 */
export async function startSubscriptions({
  config,
  db,
  logger,
  health,
  onShutdown,
}: ServiceContext<MatcherConfig>): Promise<{ index: SubscriptionIndex; cache: WebhookCache }> {
  const index = new SubscriptionIndex(config.HOOKSTREAM_PUBLIC_URL);
  const cache = new WebhookCache(db, config.DATABASE_URL, logger);
  feedIndex(cache, index, logger);
  await cache.start();
  onShutdown('webhook-cache', () => cache.stop());
  logger.info({ indexed: index.size, webhooks: cache.size }, 'subscription index built');
  health.add('subscriptions', async () => {
    if (!cache.ready) throw new Error('webhook cache not loaded or its change feed is disconnected');
  });
  return { index, cache };
}
