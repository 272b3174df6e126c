import { readFileSync } from 'node:fs';
import {
  Publisher,
  RETRY_TIERS,
  SecretBox,
  trackConsumerProgress,
  type BaseConfig,
  type ConfigOf,
  type RetryTier,
  type ServiceContext,
} from '@hookstream/service-kit';
import { loadWebhook, pingDatabase, WebhookCache } from '@hookstream/store';
import type { DeliveryJob } from '@hookstream/schemas';
import type { KafkaMessage } from 'kafkajs';
import { AuditWriter } from './audit/audit-writer.js';
import { AccessTokens } from './auth/client-secret-jwt.js';
import { SecretResolver } from './auth/secrets.js';
import { BuggyTracker } from './buggy/buggy-tracker.js';
import type { workerConfigSpec } from './config.js';
import { JobConsumer, partitionKey, type Decision } from './consume/job-consumer.js';
import { readJob } from './consume/job-reader.js';
import { CallSlots } from './dispatch/call-slots.js';
import { ConcurrencyGovernor } from './dispatch/concurrency-governor.js';
import { DeliveryProcessor } from './dispatch/delivery-processor.js';
import { HttpSender } from './http/send.js';
import { WebhookCaller } from './http/webhook-call.js';
import { createWorkerMetrics } from './metrics.js';
import { RetryRouter } from './retry/retry-router.js';
import { tierStep } from './retry/retry-schedule.js';
import { WaitingRoom } from './retry/waiting-room.js';

export type WorkerConfig = BaseConfig & ConfigOf<typeof workerConfigSpec>;

/** One group per deployment (topic prefix), so deployments sharing a cluster never share work. */
export const consumerGroupId = (prefix: string) => `${prefix}delivery-worker`;
/** How long a batching webhook's call waits for its batch to fill. */
export const BATCH_WAIT_MS = 1000;

function productVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Wires the worker: webhook cache, HTTP client, auth, audit, retry routing and the job consumer. */
export async function startWorker(ctx: ServiceContext<WorkerConfig>): Promise<void> {
  const { config, logger, kafka, admin, db, health, topics, onShutdown } = ctx;
  const metrics = createWorkerMetrics(ctx.metrics);
  const box = new SecretBox(config.HOOKSTREAM_SECRET_KEY);

  const cache = new WebhookCache(db, config.DATABASE_URL, logger);
  await cache.start();
  onShutdown('webhook-cache', () => cache.stop());
  health.add('webhook-cache', async () => {
    if (!cache.ready) throw new Error('webhook cache is not connected to PostgreSQL');
  });

  // Idempotent, as in the gateway and the matcher: a retried produce request never writes a retry job or a dead letter twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  onShutdown('producer', () => producer.disconnect());

  const userAgent = `hookstream/${productVersion()} (webhook delivery; +${config.HOOKSTREAM_PUBLIC_URL})`;
  const sender = new HttpSender(config.HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS, userAgent);
  onShutdown('http-client', () => sender.close());
  if (config.HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS) logger.warn('HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true: endpoints on private and loopback addresses are called');

  const audit = new AuditWriter(db, logger, metrics, config.AUDIT_FLUSH_INTERVAL_MS, config.AUDIT_FLUSH_ROWS);
  onShutdown('audit', () => audit.stop());

  const secrets = new SecretResolver(box, db, config.TENANT_SECRET_CACHE_MS);
  const tokenTimeouts = { connectMs: Math.min(config.DELIVERY_CONNECT_TIMEOUT_MS, 10_000), readMs: config.DELIVERY_READ_TIMEOUT_MS, totalMs: 10_000 };
  const tokens = new AccessTokens(sender, secrets, logger, metrics, tokenTimeouts);
  const caller = new WebhookCaller(sender, secrets, tokens, {
    connectTimeoutMs: config.DELIVERY_CONNECT_TIMEOUT_MS,
    readTimeoutMs: config.DELIVERY_READ_TIMEOUT_MS,
  });
  const bounds = { min: Math.min(config.DELIVERY_MIN_CONCURRENCY, config.DELIVERY_MAX_CONCURRENCY), max: config.DELIVERY_MAX_CONCURRENCY };
  // Starts low: a cold process is about to be busiest (a backlog waiting), and room makes it grow within seconds.
  const slots = new CallSlots(bounds.min);
  const governor = new ConcurrencyGovernor(slots, bounds, (limit) => metrics.callLimit.set(limit));
  metrics.callLimit.set(bounds.min);
  governor.start();
  onShutdown('concurrency-governor', () => governor.stop());
  const publisher = new Publisher(producer);
  const router = new RetryRouter(publisher, topics, metrics);
  const buggy = new BuggyTracker(db, publisher, topics, cache, logger, metrics, config.BUGGY_AFTER_DISCARDS, config.HOOKSTREAM_PUBLIC_URL);
  const processor = new DeliveryProcessor({
    cache,
    loadWebhook: (id) => loadWebhook(db, id),
    caller,
    audit,
    router,
    buggy,
    metrics,
    logger,
    batchWaitMs: BATCH_WAIT_MS,
    slots,
  });

  const tierOf = new Map<string, RetryTier>(RETRY_TIERS.map((t) => [topics.retry[t], t]));
  const waitingRoom = new WaitingRoom();
  /** A job whose time has come: attempted if due, otherwise moved on to the tier that fits the time left. */
  const run = (job: DeliveryJob, fromTier: boolean): Promise<void> => {
    const now = Date.now();
    const due = job.due_at ?? 0;
    if (due > now) {
      // Not due yet: on to the tier that fits the time left (a job on `deliveries` with a future due_at too).
      if (fromTier) metrics.tierHops.inc();
      return router.schedule(job, now).then(() => undefined);
    }
    if (fromTier && due > 0) metrics.retryLateness.observe((now - due) / 1000);
    return processor.process(job);
  };
  const handle = (topic: string, partition: number, message: KafkaMessage): Decision => {
    const read = readJob(message.value, { topic, partition, offset: message.offset }, message.headers);
    if (!read.ok) {
      logger.warn(
        { topic, partition, offset: message.offset, reason: read.record.reason, errors: read.record.errors.slice(0, 5) },
        'unreadable job dead-lettered',
      );
      return { work: router.invalidJob(read.record, message.key) };
    }
    const job = read.job;
    const tier = tierOf.get(topic);
    if (!tier) return { work: run(job, false) };
    const now = Date.now();
    const step = tierStep(tier, Number(message.timestamp), job.due_at, now, config.RETRY_IN_MEMORY_WAIT_MS);
    if ('pauseUntil' in step) return { hold: step.pauseUntil };
    if (step.waitUntil <= now) return { work: run(job, true) };
    return { work: waitingRoom.until(step.waitUntil, partitionKey(topic, partition)).then(() => run(job, true)), waiting: true };
  };

  const groupId = consumerGroupId(config.KAFKA_TOPIC_PREFIX);
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: config.CONSUMER_SESSION_TIMEOUT_MS,
    heartbeatInterval: config.CONSUMER_HEARTBEAT_INTERVAL_MS,
    maxWaitTimeInMs: config.CONSUMER_MAX_WAIT_MS,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  const jobTopics = [topics.deliveries, ...RETRY_TIERS.map((t) => topics.retry[t])];
  const jobs = new JobConsumer(
    consumer,
    handle,
    {
      topics: jobTopics,
      partitionMaxInFlight: config.PARTITION_MAX_IN_FLIGHT,
      maxWaiting: config.RETRY_IN_MEMORY_MAX_JOBS,
      commitIntervalMs: config.COMMIT_INTERVAL_MS,
      onRebalancing: () => waitingRoom.rebalancing(),
      onAssigned: (keys) => metrics.retriesLeftToNewOwner.inc(waitingRoom.assigned(keys)),
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
    // A retry waiting hours on its tier is lag, not a stuck worker.
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
