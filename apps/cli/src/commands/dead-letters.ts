import { validateDeadLetter, type DeadLetter, type DeliveryJob } from '@hookstream/schemas';
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.message.value?.toString('utf8') ?? '');
    } catch {
      unreadable++;
      continue;
    }
    const v = validateDeadLetter(parsed);
    if (!v.ok) {
      unreadable++;
      continue;
    }
    const failedAt = new Date(v.value.failed_at);
    if (filter.webhook && v.value.job.webhook_id !== filter.webhook) continue;
    if (filter.delivery && v.value.job.delivery_id !== filter.delivery) continue;
    if (filter.since && failedAt < filter.since) continue;
    if (filter.until && failedAt > filter.until) continue;
    letters.push({ partition: r.partition, offset: r.offset, letter: v.value });
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
  const producer = await ctx.producer();
  for (let i = 0; i < jobs.length; i += 500) {
    await producer.send({
      topic: ctx.topics.deliveries,
      acks: -1,
      messages: jobs.slice(i, i + 500).map((j) => ({ key: j.webhook_id, value: JSON.stringify(j), headers: { 'hookstream-replay': 'cli' } })),
    });
  }
  return jobs.length;
}
