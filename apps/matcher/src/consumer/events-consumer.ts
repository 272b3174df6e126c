import { GroupCommit, type Logger, type TopicNames } from '@hookstream/service-kit';
import { readWebhooksSeq, WEBHOOKS_SEQ_HEADER } from '@hookstream/schemas';
import type { EachBatchPayload, KafkaMessage, TopicMessages } from 'kafkajs';
import type { DeliveryRow, EventRow } from '@hookstream/store';
import { planMessages, type OutgoingMessage } from '../jobs/plan.js';
import type { SubscriptionIndex } from '../matching/subscription-index.js';
import type { EventSpanStarter } from '../tracing/event-spans.js';
import type { MatcherMetrics } from '../metrics.js';
import type { FetchLinger } from './fetch-linger.js';

/** Sends records to Kafka; resolves once the broker acknowledged all of them. */
export interface RecordPublisher {
  publish(topicMessages: TopicMessages[]): Promise<void>;
}

/** Takes the offset after a durable slice and commits it in the background. */
export interface SliceCommitter {
  /** `urgent`: sent on the next turn; otherwise it may wait a little to share a request with later ones. */
  commit(topic: string, partition: number, offset: string, urgent?: boolean): Promise<void>;
  /** Sends what waits without further delay. */
  flush(): Promise<void>;
}

/** Records events and the deliveries skipped for buggy webhooks; idempotent, so a repeated slice writes nothing new. */
export type EventIndexWriter = (events: readonly EventRow[], skipped: readonly DeliveryRow[]) => Promise<void>;

/** The part of a kafkajs batch the consumer reads (an in-memory fake in unit tests). */
export type EventsBatch = Pick<EachBatchPayload, 'resolveOffset' | 'heartbeat' | 'isRunning' | 'isStale'> & {
  batch: { topic: string; partition: number; messages: KafkaMessage[] };
};

export interface EventsConsumerDeps {
  publisher: RecordPublisher;
  committer: SliceCommitter;
  writeIndex: EventIndexWriter;
  index: SubscriptionIndex;
  /**
   * The webhook cache behind `index`: `seq` is the change counter up to which every change is
   * applied; `catchUp` resolves once every change committed before `since` is.
   */
  freshness: { readonly seq: number; catchUp(since: number): Promise<void> };
  topics: TopicNames;
  metrics: MatcherMetrics;
  logger: Pick<Logger, 'warn'>;
  sliceSize: number;
  retryMaxMs: number;
  /** One span per event when tracing is on; absent, no tracing work at all. */
  spans?: EventSpanStarter;
  /** Holds the next fetch after a small one (see FetchLinger); absent, fetches follow at once. */
  linger?: FetchLinger;
}

/**
 * How long a slice waits, after its jobs are acknowledged, for its index rows before the
 * partition is fetched on. Not waiting at all made the matcher's cycle shorter than the index
 * write at a moderate rate, so fetches brought fewer events each and the apps did more requests
 * per event (the worker stage's tail grew in 8 of 12 pairs, issue 15); the writes that hold the
 * tail take 40-230 ms, far above this.
 */
const INDEX_WAIT_MS = 25;

type BatchControl = Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'>;

/**
 * Turns batches of `events` into delivery jobs, slice by slice. A slice's offsets are resolved
 * (so kafkajs may fetch on) once its jobs (and invalid-event records) are acknowledged by the
 * broker, and handed to the committer once its event-index rows are written too, and those of
 * every earlier slice of the partition; a failing step is retried in place (nothing is
 * skipped). If the process dies in between, the slice is read again and produces the same jobs
 * with the same delivery ids, and the same index rows (an idempotent insert).
 *
 * A slow index write does not hold the partition's next fetch: in the write-back bursts of the
 * machine's storage a PostgreSQL insert took 100-230 ms while the produce of the same slices
 * took 17 ms, and the matcher stopped fetching for that long (issue #15, the latency tail). A
 * slice waits for its index rows up to INDEX_WAIT_MS after its produce, then goes on; the
 * commits wait for the index, in order.
 *
 * The commit itself does not hold the partition's next fetch (kafkajs fetches again only
 * once every batch of the previous fetch returned). Once a partition's events handed in since
 * its last urgent commit reach a slice's size, the offset is urgent: it goes out before the next
 * fetch, and the partition's next such slice waits for it before handing in its own offset
 * (which bounds the events fetched past a slow index write, too).
 * Smaller slices (a low rate: a few events per fetch) hand theirs in to linger in the
 * committer, so they share a commit request instead of each sending one; a crash then repeats
 * at most those events (under two slices' worth per partition) or the committer's linger time.
 */
export class EventsConsumer {
  /** Per partition: the commit of its last produced slice (handed in once its index rows are written). */
  private readonly lastCommit = new Map<string, Promise<void>>();
  /** Per partition: true once the index rows of every slice produced so far are written; false if one gave up. */
  private readonly indexed = new Map<string, Promise<boolean>>();
  /** Per partition: the last slice's offset still waiting for its index rows, and whether it must go out at once. */
  private readonly awaitingIndex = new Map<string, { urgent: boolean }>();
  /**
   * Partitions whose index write gave up (the consumer stopped or lost the partition): what
   * followed is not committed, and their next batch reads from the last commit again and
   * starts afresh.
   */
  private readonly gaveUp = new Set<string>();
  /** Per partition: events handed in to the committer since its last urgent commit. */
  private readonly sinceUrgent = new Map<string, number>();
  /**
   * Slices of partitions processed at the same time share a produce request and an index
   * statement. Both gather by event-loop turn: kafkajs hands the batches of one fetch (one per
   * partition) to the partition workers together, and each plans its slice synchronously before
   * its first wait, so the slices of one fetch go out together instead of the first partition's
   * produce going out alone and the others queueing behind it for a round trip. A failed flush
   * fails every slice in it; a slice that retries joins whatever its retry's turn carries.
   */
  private readonly produce: GroupCommit<TopicMessages[]>;
  private readonly index: GroupCommit<{ events: readonly EventRow[]; skipped: readonly DeliveryRow[] }>;

  constructor(private readonly deps: EventsConsumerDeps) {
    // Produces of different turns run side by side: a slice's produce holds its partition's
    // next fetch, so waiting for another turn's request too would lengthen the cycle.
    this.produce = new GroupCommit((parts) => deps.publisher.publish(parts.flat()), { gather: 'turn', oneInFlight: false });
    // One index statement at a time: slices go on while it runs (see the class comment), so a
    // slow database would otherwise get one more concurrent statement per fetch; what they hand
    // in meanwhile goes in the next statement instead.
    this.index = new GroupCommit(
      (parts) =>
        deps.writeIndex(
          parts.flatMap((p) => p.events),
          parts.flatMap((p) => p.skipped),
        ),
      { gather: 'turn', oneInFlight: true },
    );
  }

  readonly eachBatch = async (payload: EventsBatch): Promise<void> => {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    const { sliceSize } = this.deps;
    // Every event of this batch was accepted before now: matching waits until every webhook
    // change acknowledged before its events were accepted is indexed (free when the events'
    // change counter says so, one shared round trip otherwise), so a webhook registered before
    // an event was published always gets it.
    const fetchedAt = performance.now();
    const key = `${batch.topic}\u0000${batch.partition}`;
    const fetched = this.deps.linger?.join(batch.messages.length);
    if (this.gaveUp.delete(key)) {
      this.indexed.delete(key);
      this.sinceUrgent.delete(key);
    }
    for (let i = 0; i < batch.messages.length; i += sliceSize) {
      if (!isRunning() || isStale()) break;
      const slice = batch.messages.slice(i, i + sliceSize);
      const produced = await this.processSlice(batch.topic, batch.partition, slice, fetchedAt, payload);
      if (!produced) break;
      const sliceIndexed = produced.indexed;
      // A normal index write is done about when the produce is: waiting for it keeps the cycle
      // (and so the events gathered for the next fetch) as it was; only a slow one is left behind.
      await settledWithin(sliceIndexed, INDEX_WAIT_MS);
      resolveOffset(slice[slice.length - 1]!.offset);
      const previous = this.indexed.get(key);
      const allIndexed = previous ? Promise.all([previous, sliceIndexed]).then(([a, b]) => a && b) : sliceIndexed;
      this.indexed.set(key, allIndexed);
      const next = (BigInt(slice[slice.length - 1]!.offset) + 1n).toString();
      const handedIn = (this.sinceUrgent.get(key) ?? 0) + slice.length;
      if (handedIn >= sliceSize) {
        // Bounds uncommitted progress to this slice: normally the previous commit is long done
        // (a lingering one is sent now, one still waiting for its index goes out as soon as it
        // is written; the committer retries and its flush never rejects).
        if (this.lastCommit.has(key)) void this.deps.committer.flush();
        const waiting = this.awaitingIndex.get(key);
        if (waiting) waiting.urgent = true;
        if (!(await this.previousCommit(key, payload))) break;
        this.lastCommit.set(key, this.commitWhenIndexed(key, allIndexed, batch.topic, batch.partition, next, true));
        this.sinceUrgent.set(key, 0);
      } else {
        this.lastCommit.set(key, this.commitWhenIndexed(key, allIndexed, batch.topic, batch.partition, next, false));
        this.sinceUrgent.set(key, handedIn);
      }
      await payload.heartbeat().catch(() => undefined);
    }
    if (fetched) await this.deps.linger!.after(fetched, () => isRunning() && !isStale());
    if (!isRunning() || isStale()) {
      // Leaving the partition: what lingers goes out now, so the next owner repeats less (the
      // committer retries by itself and its flush never rejects).
      void this.deps.committer.flush();
      const waiting = this.awaitingIndex.get(key);
      if (waiting) waiting.urgent = true;
      this.sinceUrgent.delete(key);
      // Stopping: let the last commit finish before the consumer leaves the group (fewer repeats after a deploy).
      if (!isRunning()) await this.lastCommit.get(key);
    }
  };

  /** Resolves once the index writes and commits of every slice produced so far are done (shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.lastCommit.values());
  }

  /**
   * Hands the offset to the committer once the partition's index rows up to it are written.
   * A give-up leaves it and every later offset of the partition uncommitted (see gaveUp).
   */
  private commitWhenIndexed(key: string, allIndexed: Promise<boolean>, topic: string, partition: number, offset: string, urgent: boolean): Promise<void> {
    const waiting = { urgent };
    this.awaitingIndex.set(key, waiting);
    return allIndexed.then((ok) => {
      if (this.awaitingIndex.get(key) === waiting) this.awaitingIndex.delete(key);
      if (!ok) {
        this.gaveUp.add(key);
        return;
      }
      return this.deps.committer.commit(topic, partition, offset, waiting.urgent);
    });
  }

  /**
   * Waits for the partition's previous commit, heartbeating meanwhile; false when the consumer
   * stops, loses the partition or must rejoin the group (the commit stays with the committer).
   */
  private async previousCommit(key: string, control: BatchControl): Promise<boolean> {
    const previous = this.lastCommit.get(key);
    if (!previous) return true;
    let done = false;
    void previous.then(() => (done = true));
    for (;;) {
      await Promise.race([previous, new Promise((r) => setTimeout(r, 1000).unref())]);
      if (done) return true;
      if (!control.isRunning() || control.isStale()) return false;
      const alive = await control.heartbeat().then(
        () => true,
        () => false,
      );
      if (!alive) return false;
    }
  }

  /**
   * Plans a slice and waits until its jobs are acknowledged; returns its index write (true once
   * written, false if it gave up), or undefined when the slice was not produced (stopping).
   */
  private async processSlice(
    topic: string,
    partition: number,
    slice: KafkaMessage[],
    fetchedAt: number,
    control: BatchControl,
  ): Promise<{ indexed: Promise<boolean> } | undefined> {
    const { metrics, topics } = this.deps;
    const oldest = Number(slice[0]!.timestamp);
    if (Number.isFinite(oldest)) metrics.fetchAge.observe(Math.max(0, Date.now() - oldest) / 1000);
    const seq = requiredWebhooksSeq(slice);
    if (seq !== undefined && seq <= this.deps.freshness.seq) metrics.subscriptionChecks.inc({ path: 'counter' });
    else {
      metrics.subscriptionChecks.inc({ path: 'round_trip' });
      if (!(await this.untilDone('subscriptions_catch_up', control, () => this.deps.freshness.catchUp(fetchedAt)))) return undefined;
    }
    const t0 = process.hrtime.bigint();
    const plan = planMessages(slice, { topic, partition }, this.deps.index, new Date(), this.deps.spans);
    metrics.stepDuration.observe({ step: 'plan' }, Number(process.hrtime.bigint() - t0) / 1e9);

    // The index write goes on after this returns: only the jobs hold the partition's next fetch.
    const indexed = this.untilDone('event_index', control, () => this.index.submit({ events: plan.eventRows, skipped: plan.skipped }));
    const produced = await this.untilDone('produce', control, () =>
      this.produce.submit([
        { topic: topics.deliveries, messages: asKafka(plan.jobs) },
        { topic: topics.eventsInvalid, messages: asKafka(plan.invalid) },
      ]),
    );
    if (!produced) {
      // The slice will be read again (by this process or the partition's next owner): that handling gets its own span.
      for (const s of plan.spans) s.span.fail('stopped before the jobs were acknowledged; the events will be read again');
      return undefined;
    }
    for (const s of plan.spans) s.span.finish(s);

    metrics.consumed.inc(plan.stats.consumed);
    metrics.matched.inc(plan.stats.matched);
    metrics.jobs.inc(plan.jobs.length);
    metrics.skipped.inc(plan.stats.skipped);
    metrics.filtered.inc(plan.stats.filtered);
    for (const reason of plan.stats.invalid) metrics.invalid.inc({ reason });
    for (const f of plan.stats.fanouts) metrics.fanout.observe(f);
    metrics.sliceDuration.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    if (plan.invalid.length > 0) {
      this.deps.logger.warn({ partition, invalid: plan.invalid.length, reasons: [...new Set(plan.stats.invalid)] }, 'invalid events dead-lettered');
    }
    // Wrapped: an async function returning the promise itself would wait for it.
    return { indexed };
  }

  /**
   * Retries a step until it succeeds; gives up (false) only when the consumer stops or loses
   * the partition, in which case nothing of the slice is committed and it will be read again.
   * The first attempt is always made.
   */
  private async untilDone(step: string, control: BatchControl, fn: () => Promise<unknown>): Promise<boolean> {
    const end = this.deps.metrics.stepDuration.startTimer({ step });
    try {
      return await this.retryUntilDone(step, control, fn);
    } finally {
      end();
    }
  }

  private async retryUntilDone(step: string, control: BatchControl, fn: () => Promise<unknown>): Promise<boolean> {
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

/**
 * How recent the webhooks must be for this slice: the highest change counter its events were
 * accepted under, or undefined (check with PostgreSQL) when a record does not say.
 */
function requiredWebhooksSeq(slice: KafkaMessage[]): number | undefined {
  let max = -1;
  for (const m of slice) {
    const raw = m.headers?.[WEBHOOKS_SEQ_HEADER];
    const seq = readWebhooksSeq(Array.isArray(raw) ? raw[0] : raw);
    if (seq === undefined) return undefined;
    if (seq > max) max = seq;
  }
  return max;
}

/** Resolves when `p` settles or after `ms`, whichever comes first. */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function asKafka(messages: OutgoingMessage[]) {
  return messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
}
