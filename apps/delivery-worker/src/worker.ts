import { readFileSync } from 'node:fs';
import { RETRY_TIERS, SecretBox, trackConsumerProgress, type BaseConfig, type ConfigOf, type RetryTier, type ServiceContext } from '@hookstream/service-kit';
import { loadWebhook, WebhookCache } from '@hookstream/store';
import type { KafkaMessage } from 'kafkajs';
import { AuditWriter } from './audit/audit-writer.js';
import { AccessTokens } from './auth/client-secret-jwt.js';
import { SecretResolver } from './auth/secrets.js';
import { BuggyTracker } from './buggy/buggy-tracker.js';
import type { workerConfigSpec } from './config.js';
import { JobConsumer, type Decision } from './consume/job-consumer.js';
import { readJob } from './consume/job-reader.js';
import { DeliveryProcessor } from './dispatch/delivery-processor.js';
import { HttpSender } from './http/send.js';
import { WebhookCaller } from './http/webhook-call.js';
import { createWorkerMetrics } from './metrics.js';
import { holdUntil } from './retry/backoff.js';
import { RetryRouter } from './retry/retry-router.js';

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

  const producer = kafka.producer({ allowAutoTopicCreation: false });
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
  const router = new RetryRouter(producer, topics, metrics);
  const buggy = new BuggyTracker(db, producer, topics, cache, logger, metrics, config.BUGGY_AFTER_DISCARDS, config.HOOKSTREAM_PUBLIC_URL);
  const processor = new DeliveryProcessor({ cache, loadWebhook: (id) => loadWebhook(db, id), caller, audit, router, buggy, metrics, logger, batchWaitMs: BATCH_WAIT_MS });

  const tierOf = new Map<string, RetryTier>(RETRY_TIERS.map((t) => [topics.retry[t], t]));
  const handle = (topic: string, partition: number, message: KafkaMessage): Decision => {
    const read = readJob(message.value, { topic, partition, offset: message.offset }, message.headers);
    if (!read.ok) {
      logger.warn({ topic, partition, offset: message.offset, reason: read.record.reason, errors: read.record.errors.slice(0, 5) }, 'unreadable job dead-lettered');
      return { work: router.invalidJob(read.record, message.key) };
    }
    const job = read.job;
    const now = Date.now();
    const due = job.due_at ?? 0;
    const tier = tierOf.get(topic);
    if (tier) {
      const enqueuedAt = Number(message.timestamp);
      const until = holdUntil(tier, enqueuedAt, due > 0 ? due : enqueuedAt);
      if (now < until) return { hold: until };
    }
    if (due > now) {
      // Not due yet: on to the tier that fits the time left (a job on `deliveries` with a future due_at too).
      if (tier) metrics.tierHops.inc();
      return { work: router.schedule(job, now).then(() => undefined) };
    }
    if (tier && due > 0) metrics.retryLateness.observe((now - due) / 1000);
    return { work: processor.process(job) };
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
    { topics: jobTopics, partitionMaxInFlight: config.PARTITION_MAX_IN_FLIGHT, commitIntervalMs: config.COMMIT_INTERVAL_MS },
    logger,
    metrics,
  );
  await jobs.start();
  const progress = trackConsumerProgress({ admin, consumer, groupId, topics: jobTopics, metrics: ctx.metrics, health, logger, stallAfterMs: config.CONSUMER_STALL_AFTER_MS });
  health.add('consumer-group', async () => {
    const problem = jobs.problem;
    if (problem) throw new Error(problem);
  });
  onShutdown('consumer', async () => {
    progress.stop();
    processor.stopStarting();
    // Leave part of the shutdown deadline for the audit flush and the disconnects that follow.
    await jobs.stop(Math.max(config.SHUTDOWN_TIMEOUT_MS - 2000, config.SHUTDOWN_TIMEOUT_MS / 2), () => processor.queuedJobs);
  });
}
