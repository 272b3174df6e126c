import { trackConsumerProgress, type ServiceContext } from '@hookstream/service-kit';
import { pingDatabase } from '@hookstream/store';
import type { Consumer } from 'kafkajs';
import type { MatcherConfig } from '../app.js';
import { OtelEventSpans } from '../tracing/event-spans.js';
import { EventsConsumer, type EventsConsumerDeps } from '../consumer/events-consumer.js';
import { FetchLinger } from '../consumer/fetch-linger.js';
import { kafkaGroupEvents, watchGroupMembership } from '../consumer/group-membership.js';
import { OffsetCommitter } from '../consumer/offset-committer.js';
import type { MatcherMetrics } from '../metrics.js';

const CLOSE_COMMITS_WAIT_MS = 5_000;

export const matcherGroupId = (config: MatcherConfig) => config.MATCHER_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}matcher`;

function createCommitter(consumer: Consumer, ctx: ServiceContext<MatcherConfig>, metrics: MatcherMetrics): OffsetCommitter {
  return new OffsetCommitter({
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
      ctx.logger.warn({ err, step: 'commit', attempt, retry_in_ms: retryInMs }, 'offset commit failed; retrying (the slices stay uncommitted)');
    },
    retryMaxMs: ctx.config.MATCHER_RETRY_MAX_MS,
    lingerMs: ctx.config.MATCHER_COMMIT_LINGER_MS,
  });
}

/**
 * Joins the matcher's group on `events` and runs the EventsConsumer on it, with readiness, the
 * stuck-consumer exit and a shutdown that lets the last commit finish.
 */
export async function startEventsConsumer(
  ctx: ServiceContext<MatcherConfig>,
  parts: Pick<EventsConsumerDeps, 'publisher' | 'writeIndex' | 'index' | 'freshness' | 'metrics'>,
): Promise<void> {
  const { config, logger, kafka, db, topics, health, onShutdown } = ctx;
  const groupId = matcherGroupId(config);
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: config.MATCHER_SESSION_TIMEOUT_MS,
    heartbeatInterval: config.MATCHER_HEARTBEAT_INTERVAL_MS,
    allowAutoTopicCreation: false,
    // A stopping consumer waits for its current long poll: keep it short so shutdown is quick.
    maxWaitTimeInMs: 1000,
  });
  ctx.leaveGroupOnCrash('events-consumer', () => consumer.disconnect());
  const committer = createCommitter(consumer, ctx, parts.metrics);
  // The group is about to be rebalanced: offsets lingering in the committer go out while this
  // member's generation still owns them (the committer retries and never rejects).
  consumer.on(consumer.events.REBALANCING, () => void committer.flush());
  const membership = watchGroupMembership(kafkaGroupEvents(consumer), {
    committer,
    onStopped: (err) => ctx.fatal('events consumer stopped and kafkajs will not restart it', err),
    logger,
  });
  health.add('consumer', async () => {
    if (!membership.joined) throw new Error(`not a member of consumer group ${groupId} yet`);
  });
  await consumer.connect();
  // A new group starts from the earliest retained event: events published before the first
  // matcher started are matched too.
  await consumer.subscribe({ topic: topics.events, fromBeginning: true });
  const handler = new EventsConsumer({
    ...parts,
    committer,
    topics,
    logger,
    sliceSize: config.MATCHER_CHUNK_SIZE,
    retryMaxMs: config.MATCHER_RETRY_MAX_MS,
    linger: new FetchLinger({
      lingerMs: config.MATCHER_FETCH_LINGER_MS,
      below: config.MATCHER_FETCH_LINGER_BELOW,
      onLinger: () => parts.metrics.fetchLingers.inc(),
    }),
    ...(ctx.tracing.enabled ? { spans: new OtelEventSpans(ctx.tracing) } : {}),
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
    metrics: ctx.metrics,
    health,
    logger,
    stallAfterMs: config.MATCHER_STALL_AFTER_MS,
    stuckAfterMs: config.MATCHER_STUCK_EXIT_AFTER_MS,
    onStuck: (reason) => ctx.fatal(`events consumer stuck: ${reason}`),
    dependenciesUp: () => pingDatabase(db).then(() => true),
  });
  onShutdown('events-consumer', async () => {
    progress.stop();
    // Lingering offsets are committed before the consumer leaves the group, and from now on no
    // slice's offset lingers (the slices still running hand theirs in while the consumer stops);
    // offsets still waiting for their index rows are handed in first. Bounded: a broker that
    // refuses commits or a database that is down must not hold the shutdown (the events are read again).
    const closed = (async () => {
      await committer.close();
      await handler.settled();
      await committer.close();
    })();
    await Promise.race([closed, new Promise((r) => setTimeout(r, CLOSE_COMMITS_WAIT_MS).unref())]);
    await consumer.disconnect();
    committer.stop();
  });
}
