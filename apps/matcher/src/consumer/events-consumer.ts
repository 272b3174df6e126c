import type { Knex, Logger, TopicNames } from '@hookstream/service-kit';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { writeEventIndex } from '../event-index/writer.js';
import { planMessages, type OutgoingMessage } from '../jobs/plan.js';
import type { Publisher } from '@hookstream/service-kit';
import type { SubscriptionIndex } from '../matching/subscription-index.js';
import type { MatcherMetrics } from '../metrics.js';

export interface EventsConsumerDeps {
  consumer: Consumer;
  publisher: Publisher;
  db: Knex;
  index: SubscriptionIndex;
  topics: TopicNames;
  metrics: MatcherMetrics;
  logger: Logger;
  sliceSize: number;
  retryMaxMs: number;
}

type BatchControl = Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'>;

/**
 * Turns batches of `events` into delivery jobs, slice by slice. For each slice the event
 * index is written and the jobs (and invalid-event records) are acknowledged by the broker
 * before its offsets are resolved and committed; a failing step is retried in place (the
 * partition waits, nothing is skipped). If the process dies in between, the slice is read
 * again and produces the same jobs with the same delivery ids.
 */
export class EventsConsumer {
  constructor(private readonly deps: EventsConsumerDeps) {}

  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    const { sliceSize } = this.deps;
    for (let i = 0; i < batch.messages.length; i += sliceSize) {
      if (!isRunning() || isStale()) return;
      const slice = batch.messages.slice(i, i + sliceSize);
      const done = await this.processSlice(batch.topic, batch.partition, slice, payload);
      if (!done) return;
      resolveOffset(slice[slice.length - 1]!.offset);
      await payload.heartbeat().catch(() => undefined);
    }
  };

  private async processSlice(topic: string, partition: number, slice: KafkaMessage[], control: BatchControl): Promise<boolean> {
    const { metrics, topics, publisher, db, consumer } = this.deps;
    const t0 = process.hrtime.bigint();
    const plan = planMessages(slice, { topic, partition }, this.deps.index);

    const [indexed, produced] = await Promise.all([
      this.untilDone('event_index', control, () => writeEventIndex(db, plan.eventRows, plan.skipped)),
      this.untilDone('produce', control, () =>
        publisher.publish([
          { topic: topics.deliveries, messages: asKafka(plan.jobs) },
          { topic: topics.eventsInvalid, messages: asKafka(plan.invalid) },
        ]),
      ),
    ]);
    if (!indexed || !produced) return false;
    const next = (BigInt(slice[slice.length - 1]!.offset) + 1n).toString();
    const committed = await this.untilDone('commit', control, () => consumer.commitOffsets([{ topic, partition, offset: next }]));
    if (!committed) return false;

    metrics.consumed.inc(plan.stats.consumed);
    metrics.matched.inc(plan.stats.matched);
    metrics.jobs.inc(plan.jobs.length);
    metrics.skipped.inc(plan.stats.skipped);
    for (const reason of plan.stats.invalid) metrics.invalid.inc({ reason });
    for (const f of plan.stats.fanouts) metrics.fanout.observe(f);
    metrics.sliceDuration.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    if (plan.invalid.length > 0) {
      this.deps.logger.warn({ partition, invalid: plan.invalid.length, reasons: [...new Set(plan.stats.invalid)] }, 'invalid events dead-lettered');
    }
    return true;
  }

  /**
   * Retries a step until it succeeds; gives up (false) only when the consumer stops or loses
   * the partition, in which case nothing of the slice is committed and it will be read again.
   * The first attempt is always made, so a slice whose jobs are out still gets its commit
   * during a graceful shutdown (fewer duplicates after a deploy).
   */
  private async untilDone(step: string, control: BatchControl, fn: () => Promise<unknown>): Promise<boolean> {
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return true;
      } catch (e) {
        if (!control.isRunning() || control.isStale()) return false;
        this.deps.metrics.stepRetries.inc({ step });
        this.deps.logger.warn({ err: e, step, attempt, retry_in_ms: delay }, 'slice step failed; retrying (offsets stay uncommitted)');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.deps.retryMaxMs);
        await control.heartbeat().catch(() => undefined);
        if (!control.isRunning() || control.isStale()) return false;
      }
    }
  }
}

function asKafka(messages: OutgoingMessage[]) {
  return messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
}
