import type { BaseConfig, ConfigOf, ServiceContext } from '@hookstream/service-kit';
import { Publisher, trackConsumerProgress } from '@hookstream/service-kit';
import { pingDatabase, WebhookCache } from '@hookstream/store';
import type { matcherConfigSpec } from './config.js';
import { EventsConsumer } from './consumer/events-consumer.js';
import { OffsetCommitter } from './consumer/offset-committer.js';
import { SubscriptionIndex } from './matching/subscription-index.js';
import { createMatcherMetrics } from './metrics.js';

export type MatcherConfig = BaseConfig & ConfigOf<typeof matcherConfigSpec>;

/**
 * Wires the matcher: subscription index fed by the webhook cache (loaded from PostgreSQL,
 * then kept fresh by LISTEN/NOTIFY), an idempotent producer, and the `events` consumer.
 */
export async function startMatcher(ctx: ServiceContext<MatcherConfig>): Promise<void> {
  const { config, logger, kafka, db, topics, health, metrics: registry, onShutdown } = ctx;

  const index = new SubscriptionIndex(config.HOOKSTREAM_PUBLIC_URL);
  const cache = new WebhookCache(db, config.DATABASE_URL, logger);
  cache.on('upsert', (record) => {
    try {
      index.upsert(record);
    } catch (e) {
      // A row the index cannot read must not take the others down with it.
      index.remove(record.id);
      logger.error({ err: e, webhook_id: record.id }, 'webhook not indexed: unreadable spec');
    }
  });
  cache.on('remove', (record) => index.remove(record.id));
  cache.on('reset', () => logger.info({ indexed: index.size }, 'subscription index resynchronised with PostgreSQL'));
  await cache.start();
  onShutdown('webhook-cache', () => cache.stop());
  logger.info({ indexed: index.size, webhooks: cache.size }, 'subscription index built');
  health.add('subscriptions', async () => {
    if (!cache.ready) throw new Error('webhook cache not loaded or its change feed is disconnected');
  });

  const metrics = createMatcherMetrics(registry, () => index.size);

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  onShutdown('producer', () => producer.disconnect());

  const groupId = config.MATCHER_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}matcher`;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: config.MATCHER_SESSION_TIMEOUT_MS,
    heartbeatInterval: Math.max(1000, Math.floor(config.MATCHER_SESSION_TIMEOUT_MS / 10)),
    allowAutoTopicCreation: false,
    // A stopping consumer waits for its current long poll: keep it short so shutdown is quick.
    maxWaitTimeInMs: 1000,
  });
  const committer = new OffsetCommitter({
    commit: async (offsets) => {
      const end = metrics.stepDuration.startTimer({ step: 'commit' });
      try {
        await consumer.commitOffsets(offsets);
      } finally {
        end();
      }
    },
    onRetry: (err, attempt, retryInMs) => {
      metrics.stepRetries.inc({ step: 'commit' });
      logger.warn({ err, step: 'commit', attempt, retry_in_ms: retryInMs }, 'offset commit failed; retrying (the slices stay uncommitted)');
    },
    retryMaxMs: config.MATCHER_RETRY_MAX_MS,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    joined = true;
    const assigned = e.payload.memberAssignment;
    committer.retainOnly((topic, partition) => assigned[topic]?.includes(partition) ?? false);
  });
  consumer.on(consumer.events.CRASH, (e) => {
    if (e.payload.restart) {
      logger.warn({ err: e.payload.error }, 'events consumer crashed; kafkajs restarts it');
      return;
    }
    joined = false;
    ctx.fatal('events consumer stopped and kafkajs will not restart it', e.payload.error);
  });
  health.add('consumer', async () => {
    if (!joined) throw new Error(`not a member of consumer group ${groupId} yet`);
  });
  await consumer.connect();
  // A new group starts from the earliest retained event: events published before the first
  // matcher started are matched too.
  await consumer.subscribe({ topic: topics.events, fromBeginning: true });
  const handler = new EventsConsumer({
    publisher: new Publisher(producer),
    committer,
    db,
    index,
    freshness: cache,
    topics,
    metrics,
    logger,
    sliceSize: config.MATCHER_CHUNK_SIZE,
    retryMaxMs: config.MATCHER_RETRY_MAX_MS,
  });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.MATCHER_PARTITIONS_CONCURRENTLY,
    eachBatch: handler.eachBatch,
  });
  const progress = trackConsumerProgress({
    admin: ctx.admin,
    consumer,
    groupId,
    topics: [topics.events],
    metrics: registry,
    health,
    logger,
    stallAfterMs: config.MATCHER_STALL_AFTER_MS,
    stuckAfterMs: config.MATCHER_STUCK_EXIT_AFTER_MS,
    onStuck: (reason) => ctx.fatal(`events consumer stuck: ${reason}`),
    dependenciesUp: () => pingDatabase(db).then(() => true),
  });
  onShutdown('events-consumer', async () => {
    progress.stop();
    await consumer.disconnect();
    committer.stop();
  });
}
