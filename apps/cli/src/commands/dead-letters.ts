import { decodeDeadLetterRecord, encodeDeliveryJobRecord, type DeadLetter, type DeliveryJob } from '@hookstream/schemas';
import type { CliContext } from '../context.js';
import { readTopic } from '../kafka/read-topic.js';

export interface DeadLetterFilter {
  webhook?: string;
  since?: Date;
  until?: Date;
  delivery?: string;
}

export interface StoredDeadLetter {
  partition: number;
  offset: string;
  letter: DeadLetter;
}

/** Dead letters on `deliveries.dlq` that match the filter; unreadable records are reported, not hidden. */
export async function loadDeadLetters(ctx: CliContext, filter: DeadLetterFilter): Promise<{ letters: StoredDeadLetter[]; unreadable: number }> {
  const records = await readTopic(ctx.kafka, ctx.admin, ctx.topics.deliveriesDlq);
  const letters: StoredDeadLetter[] = [];
  let unreadable = 0;
  for (const r of records) {
    const decoded = decodeDeadLetterRecord(r.message);
    if (!decoded.ok) {
      unreadable++;
      continue;
    }
    const letter = decoded.record;
    const failedAt = new Date(letter.failed_at);
    if (filter.webhook && letter.job.webhook_id !== filter.webhook) continue;
    if (filter.delivery && letter.job.delivery_id !== filter.delivery) continue;
    if (filter.since && failedAt < filter.since) continue;
    if (filter.until && failedAt > filter.until) continue;
    letters.push({ partition: r.partition, offset: r.offset, letter });
  }
  return { letters, unreadable };
}

/** A fresh first attempt of a new cycle: the worker records it in the audit like any attempt. */
export function replayJob(job: DeliveryJob, cycle: number): DeliveryJob {
  const { previous_attempts: _previous, ...rest } = job;
  return { ...rest, attempt: 1, cycle, due_at: 0, created_at: new Date().toISOString() };
}

/** Puts jobs back on `deliveries`, keyed by webhook id like the matcher's. */
export async function requeue(ctx: CliContext, jobs: DeliveryJob[]): Promise<number> {
  const publisher = await ctx.publisher();
  // The Publisher cuts a large replay into produce requests under the broker's size limit.
  await publisher.publish([{ topic: ctx.topics.deliveries, messages: jobs.map((j) => encodeDeliveryJobRecord(j, { replay: 'cli' })) }]);
  return jobs.length;
}
