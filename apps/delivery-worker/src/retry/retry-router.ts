import {
  encodeDeadLetterRecord,
  encodeDeliveryJobRecord,
  encodeInvalidDeliveryJobRecord,
  type DeadLetter,
  type DeliveryJob,
  type EncodedRecord,
  type InvalidEventRecord,
} from '@hookstream/schemas';
import type { Publisher, TopicNames } from '@hookstream/service-kit';
import type { WorkerMetrics } from '../metrics.js';
import { tierFor } from './backoff.js';

/**
 * Writes jobs to where they wait or end: the retry tier that fits the time left before their
 * due time, or the dead-letter topic. Resolves once the broker acknowledged the write (all
 * in-sync replicas), which is when the source message may be committed.
 */
export class RetryRouter {
  constructor(
    /** Coalescing: thousands of retries scheduled at once go out in a few produce requests, not one each. */
    private readonly publisher: Publisher,
    private readonly topics: TopicNames,
    private readonly metrics: WorkerMetrics,
  ) {}

  /** Puts a job on the retry tier for its `due_at`; returns the tier. */
  async schedule(job: DeliveryJob, now = Date.now()): Promise<string> {
    const tier = tierFor((job.due_at ?? 0) - now);
    await this.send(this.topics.retry[tier], encodeDeliveryJobRecord(job));
    return tier;
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    await this.send(this.topics.deliveriesDlq, encodeDeadLetterRecord(letter));
    this.metrics.deadLetters.inc({ reason: letter.reason });
  }

  /** A message of a job topic that is not a readable job: kept byte for byte with the reason. */
  async invalidJob(record: InvalidEventRecord, key: Buffer | null): Promise<void> {
    await this.send(this.topics.deliveriesDlq, encodeInvalidDeliveryJobRecord(record, key?.toString('utf8') ?? null));
    this.metrics.deadLetters.inc({ reason: record.reason });
  }

  private async send(topic: string, record: EncodedRecord): Promise<void> {
    await this.publisher.publish([{ topic, messages: [record] }]);
  }
}
