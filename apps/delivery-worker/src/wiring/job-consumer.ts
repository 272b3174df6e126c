import { RETRY_TIER_MS, RETRY_TIERS, trackConsumerProgress, type ServiceContext } from '@hookstream/service-kit';
import { pingDatabase } from '@hookstream/store';
import { kafkaConsumerPort } from '../consume/consumer-port.js';
import { revisitIntervalMs } from '../consume/drained-revisits.js';
import { JobConsumer, type MessageHandler } from '../consume/job-consumer.js';
import type { DeliveryProcessor } from '../dispatch/delivery-processor.js';
import type { WorkerMetrics } from '../metrics.js';
import type { WaitingRoom } from '../retry/waiting-room.js';
import type { WorkerConfig } from '../worker.js';

/** One group per deployment (topic prefix), so deployments sharing a cluster never share work. */
export const consumerGroupId = (prefix: string) => `${prefix}delivery-worker`;

export interface JobConsumerParts {
  handler: MessageHandler;
  processor: Pick<DeliveryProcessor, 'stopStarting' | 'queuedJobs'>;
  waitingRoom: WaitingRoom;
  metrics: WorkerMetrics;
}

/**
 * Joins the group on `deliveries` and the retry tiers, watches its progress (readiness, the
 * stuck-consumer exit) and registers the shutdown that lets started jobs finish first.
 */
export async function startJobConsumer(ctx: ServiceContext<WorkerConfig>, { handler, processor, waitingRoom, metrics }: JobConsumerParts): Promise<void> {
  const { config, logger, kafka, admin, db, health, topics, onShutdown } = ctx;
  const groupId = consumerGroupId(config.KAFKA_TOPIC_PREFIX);
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: config.CONSUMER_SESSION_TIMEOUT_MS,
    heartbeatInterval: config.CONSUMER_HEARTBEAT_INTERVAL_MS,
    maxWaitTimeInMs: config.CONSUMER_MAX_WAIT_MS,
    allowAutoTopicCreation: false,
  });
  ctx.leaveGroupOnCrash('job-consumer', () => consumer.disconnect());
  await consumer.connect();
  const jobTopics = [topics.deliveries, ...RETRY_TIERS.map((t) => topics.retry[t])];
  // Only the retry tiers' records wait a known time after they are written; `deliveries` is read by every fetch.
  const revisitIntervals = new Map(RETRY_TIERS.map((t) => [topics.retry[t], revisitIntervalMs(RETRY_TIER_MS[t], config.CONSUMER_DRAINED_REVISIT_MAX_MS)]));
  const jobs = new JobConsumer(
    kafkaConsumerPort(consumer, groupId),
    handler,
    {
      topics: jobTopics,
      partitionMaxInFlight: config.PARTITION_MAX_IN_FLIGHT,
      maxWaiting: config.RETRY_IN_MEMORY_MAX_JOBS,
      commitIntervalMs: config.COMMIT_INTERVAL_MS,
      fetchWait: {
        baseMs: config.CONSUMER_MAX_WAIT_MS,
        saturatedMs: config.CONSUMER_SATURATED_MAX_WAIT_MS,
        idleMaxMs: Math.min(config.CONSUMER_IDLE_MAX_WAIT_MS, Math.floor(config.CONSUMER_SESSION_TIMEOUT_MS / 3)),
      },
      revisitIntervalOf: (topic) => revisitIntervals.get(topic),
      onRebalancing: () => waitingRoom.rebalancing(),
      onAssigned: (keys) => {
        metrics.retriesLeftToNewOwner.inc(waitingRoom.assigned(keys));
        for (const topic of jobTopics) metrics.assignedPartitions.set({ topic }, [...keys].filter((k) => k.endsWith(`|${topic}`)).length);
      },
      onStopped: (err) => ctx.fatal('job consumer stopped and kafkajs will not restart it', err),
    },
    logger,
    metrics,
  );
  await jobs.start();
  const progress = trackConsumerProgress({
    admin,
    consumer,
    groupId,
    topics: jobTopics,
    metrics: ctx.metrics,
    health,
    logger,
    stallAfterMs: config.CONSUMER_STALL_AFTER_MS,
    // A retry waiting hours on its tier is lag, not a stuck worker; nor is a drained tier's record waiting for its revisit.
    heldUntilDue: (topic, partition) => jobs.isHeld(topic, partition),
    stuckAfterMs: config.CONSUMER_STUCK_EXIT_AFTER_MS,
    onStuck: (reason) => ctx.fatal(`job consumer stuck: ${reason}`),
    dependenciesUp: () => pingDatabase(db).then(() => true),
  });
  health.add('consumer-group', async () => {
    const problem = jobs.problem;
    if (problem) throw new Error(problem);
  });
  onShutdown('consumer', async () => {
    progress.stop();
    processor.stopStarting();
    waitingRoom.close();
    // Leave part of the shutdown deadline for the audit flush and the disconnects that follow.
    await jobs.stop(Math.max(config.SHUTDOWN_TIMEOUT_MS - 2000, config.SHUTDOWN_TIMEOUT_MS / 2), () => processor.queuedJobs + waitingRoom.abandoned);
  });
}
