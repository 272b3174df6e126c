import type { BaseConfig, ConfigOf, ServiceContext } from '@hookstream/service-kit';
import { Publisher } from '@hookstream/service-kit';
import { writeEventIndex } from '@hookstream/store';
import type { matcherConfigSpec } from './config.js';
import { createMatcherMetrics } from './metrics.js';
import { startEventsConsumer } from './wiring/events-consumer.js';
import { connectProducer } from './wiring/producer.js';
import { startSubscriptions } from './wiring/subscriptions.js';

export type MatcherConfig = BaseConfig & ConfigOf<typeof matcherConfigSpec>;

/**
 * Wires the matcher: subscription index fed by the webhook cache (loaded from PostgreSQL,
 * then kept fresh by LISTEN/NOTIFY), an idempotent producer, and the `events` consumer.
 */
export async function startMatcher(ctx: ServiceContext<MatcherConfig>): Promise<void> {
  const { db } = ctx;
  const { index, cache } = await startSubscriptions(ctx);
  const metrics = createMatcherMetrics(ctx.metrics, () => index.size);
  const producer = await connectProducer(ctx);
  await startEventsConsumer(ctx, {
    publisher: new Publisher(producer),
    writeIndex: (events, skipped) => writeEventIndex(db, events, skipped),
    index,
    freshness: cache,
    metrics,
  });
}
