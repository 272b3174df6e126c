import { RETRY_TIERS, type Logger, type RetryTier, type TopicNames } from '@hookstream/service-kit';
import { readTraceHeaders, type DeliveryJob, type InvalidEventRecord } from '@hookstream/schemas';
import type { KafkaMessage } from 'kafkajs';
import { partitionKey, type Decision, type MessageHandler } from '../consume/job-consumer.js';
import { readJob } from '../consume/job-reader.js';
import { traceFields } from '../tracing/log-fields.js';
import { tierStep } from './retry-schedule.js';

/** Where jobs go next: a later attempt or a shorter tier, and the dead letter of what cannot be read. */
export interface TierRouter {
  schedule(job: DeliveryJob, now: number): Promise<unknown>;
  invalidJob(record: InvalidEventRecord, key: Buffer | null): Promise<void>;
}

export interface TierDecisionDeps {
  topics: Pick<TopicNames, 'retry'>;
  router: TierRouter;
  /** Attempts a job that is due; `owner` is the partition it was read from. */
  attempt: (job: DeliveryJob, owner: string) => Promise<void>;
  /** Keeps a job in memory until its time (released early when its partition moves). */
  waitUntil: (time: number, partitionKey: string) => Promise<void>;
  metrics: { tierHops: { inc(): void }; retryLateness: { observe(seconds: number): void } };
  logger: Pick<Logger, 'warn'>;
  /** How long a job read from a tier may wait in memory before its partition is paused instead. */
  inMemoryWaitMs?: number;
  now?: () => number;
}

/**
 * Decides, for each record read from `deliveries` or a retry tier, what happens to it: dead-lettered
 * when unreadable, held (its partition paused) when its time is far, waited for in memory when near,
 * attempted when due, or moved on to the tier that fits the time left when read early.
 */
export function tierDecision(deps: TierDecisionDeps): MessageHandler {
  const { router, metrics, logger } = deps;
  const now = deps.now ?? Date.now;
  const tierOf = new Map<string, RetryTier>(RETRY_TIERS.map((t) => [deps.topics.retry[t], t]));

  /** A job whose time has come: attempted if due, otherwise moved on to the tier that fits the time left. */
  const run = (job: DeliveryJob, fromTier: boolean, owner: string): Promise<void> => {
    const at = now();
    const due = job.due_at ?? 0;
    if (due > at) {
      // Not due yet: on to the tier that fits the time left (a job on `deliveries` with a future due_at too).
      if (fromTier) metrics.tierHops.inc();
      return router.schedule(job, at).then(() => undefined);
    }
    if (fromTier && due > 0) metrics.retryLateness.observe((at - due) / 1000);
    return deps.attempt(job, owner);
  };

  return (topic: string, partition: number, message: KafkaMessage): Decision => {
    const read = readJob(message.value, { topic, partition, offset: message.offset }, message.headers);
    if (!read.ok) {
      logger.warn(
        {
          topic,
          partition,
          offset: message.offset,
          reason: read.record.reason,
          errors: read.record.errors.slice(0, 5),
          ...traceFields(readTraceHeaders(message.headers)),
        },
        'unreadable job dead-lettered',
      );
      return { work: router.invalidJob(read.record, message.key) };
    }
    const job = read.job;
    const tier = tierOf.get(topic);
    const owner = partitionKey(topic, partition);
    // A FIFO job may wait long for its key's turn (an earlier delivery retried in place): it
    // counts against the worker-wide bound on waiting jobs, so a held key never stops the
    // partition's other keys and webhooks at PARTITION_MAX_IN_FLIGHT.
    if (!tier) return job.ordering_key !== undefined ? { work: run(job, false, owner), waiting: true } : { work: run(job, false, owner) };
    const at = now();
    const step = tierStep(tier, Number(message.timestamp), job.due_at, at, deps.inMemoryWaitMs);
    if ('pauseUntil' in step) return { hold: step.pauseUntil };
    if (step.waitUntil <= at) return { work: run(job, true, owner) };
    return { work: deps.waitUntil(step.waitUntil, owner).then(() => run(job, true, owner)), waiting: true };
  };
}
