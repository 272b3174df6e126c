import { prepareDeliveryJobValidator } from '@hookstream/schemas';
import { Publisher, type BaseConfig, type ConfigOf, type ServiceContext } from '@hookstream/service-kit';
import { loadWebhook } from '@hookstream/store';
import { AuditWriter } from './audit/audit-writer.js';
import { BuggyTracker } from './buggy/buggy-tracker.js';
import type { workerConfigSpec } from './config.js';
import { DeliveryProcessor } from './dispatch/delivery-processor.js';
import { LifecycleAnnouncer } from './lifecycle/lifecycle-announcer.js';
import { createWorkerMetrics } from './metrics.js';
import { RetryRouter } from './retry/retry-router.js';
import { tierDecision } from './retry/tier-decision.js';
import { WaitingRoom } from './retry/waiting-room.js';
import { GoneDisabler } from './steering/gone-disabler.js';
import { OtelAttemptSpans } from './tracing/attempt-spans.js';
import { startCallSlots } from './wiring/call-slots.js';
import { startJobConsumer } from './wiring/job-consumer.js';
import { connectProducer } from './wiring/producer.js';
import { startWebhookCache } from './wiring/webhook-cache.js';
import { buildWebhookCaller } from './wiring/webhook-caller.js';

export { consumerGroupId } from './wiring/job-consumer.js';

export type WorkerConfig = BaseConfig & ConfigOf<typeof workerConfigSpec>;

/** How long a batching webhook's call waits for its batch to fill. */
export const BATCH_WAIT_MS = 1000;

/** Wires the worker: webhook cache, HTTP client, auth, audit, retry routing and the job consumer. */
export async function startWorker(ctx: ServiceContext<WorkerConfig>): Promise<void> {
  const { config, logger, db, topics, onShutdown } = ctx;
  const metrics = createWorkerMetrics(ctx.metrics);
  const cache = await startWebhookCache(ctx);
  const producer = await connectProducer(ctx);
  const caller = buildWebhookCaller(ctx, metrics);
  const audit = new AuditWriter(db, logger, metrics, config.AUDIT_FLUSH_INTERVAL_MS, config.AUDIT_FLUSH_ROWS);
  onShutdown('audit', () => audit.stop());
  const slots = startCallSlots(ctx, metrics);
  const publisher = new Publisher(producer);
  const router = new RetryRouter(publisher, topics, metrics);
  const lifecycle = new LifecycleAnnouncer(publisher, topics, config.HOOKSTREAM_PUBLIC_URL);
  const buggy = new BuggyTracker(db, lifecycle, cache, logger, metrics, config.BUGGY_AFTER_DISCARDS);
  const waitingRoom = new WaitingRoom();
  const processor = new DeliveryProcessor({
    cache,
    loadWebhook: (id) => loadWebhook(db, id),
    caller,
    audit,
    router,
    buggy,
    gone: new GoneDisabler(db, lifecycle, cache, logger),
    metrics,
    logger,
    batchWaitMs: BATCH_WAIT_MS,
    slots,
    // FIFO retries in place wait here too: released to the partition's new owner when it moves.
    waitUntil: (time, key) => waitingRoom.until(time, key),
    ...(ctx.tracing.enabled ? { spans: new OtelAttemptSpans(ctx.tracing) } : {}),
  });
  const handler = tierDecision({
    topics,
    router,
    attempt: (job, owner) => processor.process(job, owner),
    waitUntil: (time, key) => waitingRoom.until(time, key),
    metrics,
    logger,
    inMemoryWaitMs: config.RETRY_IN_MEMORY_WAIT_MS,
  });
  // Before the first job, not while it waits.
  prepareDeliveryJobValidator();
  await startJobConsumer(ctx, { handler, processor, waitingRoom, metrics });
}
