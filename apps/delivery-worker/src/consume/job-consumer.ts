import type { Logger } from '@hookstream/service-kit';
import type { KafkaMessage } from 'kafkajs';
import type { ConsumerPort, FetchedPartition, JobBatch } from './consumer-port.js';
import { DrainedPartitions } from './drained-revisits.js';
import { FetchWait, type FetchWaitBounds } from './fetch-wait.js';
import { PartitionTracker } from './partition-tracker.js';

/**
 * What to do with a message: wait until a time (the partition is paused), or work on it.
 * `waiting` work mostly waits for its time in memory: it counts against the worker-wide
 * `maxWaiting`, not against the partition's `partitionMaxInFlight`.
 */
export type Decision = { hold: number } | { work: Promise<void>; waiting?: boolean };
export type MessageHandler = (topic: string, partition: number, message: KafkaMessage) => Decision;

export interface JobConsumerOptions {
  topics: string[];
  /** Unfinished jobs per partition before it is paused (jobs waiting for their time aside). */
  partitionMaxInFlight: number;
  /** Jobs waiting for their time, all partitions together, before the partition at hand is paused. */
  maxWaiting: number;
  commitIntervalMs: number;
  /** Each fetch's long-poll wait adapts between these (fetch-wait.ts); without it, the consumer's own fixed wait. */
  fetchWait?: FetchWaitBounds;
  /**
   * How long a drained partition of a topic may stay out of the fetches (drained-revisits.ts);
   * undefined, or no function: the topic is read by every fetch.
   */
  revisitIntervalOf?: (topic: string) => number | undefined;
  /** The group started rebalancing: this worker's partitions may move. */
  onRebalancing?: () => void;
  /** The assignment after a (re)join, as partition keys (see partitionKey). */
  onAssigned?: (keys: ReadonlySet<string>) => void;
  /** The consumer stopped for good (kafkajs will not restart it). */
  onStopped?: (err: Error) => void;
}

/** Identifies a topic partition in the consumer's bookkeeping and for its listeners. */
export const partitionKey = (topic: string, partition: number) => `${partition}|${topic}`;
const keyOf = partitionKey;
const parseKey = (key: string) => {
  const i = key.indexOf('|');
  return { topic: key.slice(i + 1), partition: Number(key.slice(0, i)) };
};

/**
 * Reads the job topics without waiting for jobs to finish: every message is handed to the
 * handler at once (up to a bound per partition), and offsets are committed only up to the
 * oldest unfinished job of each partition. A handler may instead ask to hold a message until
 * a given time (retry tiers): its partition is paused, not blocked, and read again from that
 * message when the time comes.
 */
export class JobConsumer {
  private readonly trackers = new Map<string, PartitionTracker>();
  /** Next offset to hand out per partition; refetched earlier offsets are skipped. */
  private readonly expected = new Map<string, bigint>();
  private readonly holds = new Map<string, NodeJS.Timeout>();
  /** When each held partition is resumed. */
  private readonly holdEnds = new Map<string, number>();
  private readonly fetchWait: FetchWait | undefined;
  /** Drained slow-tier partitions paused until their revisit (only when the consumer reports its fetches). */
  private drained: DrainedPartitions | undefined;
  private assigned = new Set<string>();
  private readonly saturated = new Set<string>();
  /**
   * The rest of the batch a partition saturated in, handed out when it resumes. Dropping it and
   * letting kafkajs fetch it again cost a second read of most records in a burst (33.6 MB read
   * for 19.1 MB of jobs in a 100 x 100 fan-out: Kafka's bytes, kafkajs's decoding and garbage).
   */
  private readonly kept = new Map<string, { fetched: JobBatch; from: number }>();
  /** Unfinished jobs per partition that are not `waiting`. */
  private readonly working = new Map<string, number>();
  private waitingTotal = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private stopping = false;
  private inFlight = 0;
  private joined = false;
  private crashed: string | undefined;

  constructor(
    private readonly consumer: ConsumerPort,
    private readonly handler: MessageHandler,
    private readonly opts: JobConsumerOptions,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>,
    private readonly metrics: { inFlight: { inc(): void; dec(): void }; partitionsLeftOut?: { set(n: number): void } },
  ) {
    if (opts.fetchWait) this.fetchWait = new FetchWait(opts.fetchWait);
  }

  /** Why the worker cannot take jobs, if it cannot (readiness reports it). */
  get problem(): string | undefined {
    if (this.crashed) return `the consumer stopped: ${this.crashed}`;
    if (!this.joined) return 'not a member of the consumer group yet';
    return undefined;
  }

  private get uncommittedCap(): number {
    return this.opts.partitionMaxInFlight + this.opts.maxWaiting;
  }

  /**
   * Whether the partition is paused on purpose until a time: its first job's time, or the
   * revisit of a drained slow tier. Not stuck: it resumes by itself.
   */
  isHeld(topic: string, partition: number): boolean {
    const key = keyOf(topic, partition);
    return this.holds.has(key) || (this.drained?.has(key) ?? false);
  }

  /** Drained partitions left out of the fetches until their revisit. */
  get leftOut(): number {
    return this.drained?.size ?? 0;
  }

  get unfinished(): number {
    return this.inFlight;
  }

  async start(): Promise<void> {
    this.consumer.onGroupJoin((assignment) => this.onAssignment(assignment));
    this.consumer.onRebalancing(() => {
      // What was fetched before may not be this member's any more; kafkajs reads it again after the join.
      this.kept.clear();
      this.opts.onRebalancing?.();
    });
    this.consumer.onCrash((error, restart) => {
      // kafkajs restarts the consumer after retriable errors; otherwise this process can no longer work.
      if (restart) return;
      this.crashed = error.message;
      this.opts.onStopped?.(error);
    });
    if (this.fetchWait && !this.consumer.fetchWaitFrom(() => this.nextFetchWait())) {
      this.logger.info({ waitMs: this.opts.fetchWait?.baseMs }, 'the fetch wait stays fixed: this kafkajs release cannot take it per fetch');
    }
    const intervalOf = this.opts.revisitIntervalOf;
    if (intervalOf) {
      const drained = new DrainedPartitions((key) => intervalOf(parseKey(key).topic), this.opts.fetchWait?.baseMs ?? 0);
      const watching = this.consumer.watchFetches({ beforeFetch: () => this.revisit(), fetched: (partitions) => this.leaveOutDrained(partitions) });
      if (watching) this.drained = drained;
      else this.logger.info('every fetch reads every partition: this kafkajs release does not report empty ones');
    }
    await this.consumer.subscribe(this.opts.topics);
    await this.consumer.run(async (payload) => this.onBatch(payload));
  }

  private onBatch(fetched: JobBatch): void {
    const key = keyOf(fetched.batch.topic, fetched.batch.partition);
    // Held, saturated or drained partitions are paused; a batch fetched before the pause is dropped unresolved and read again later.
    if (this.stopping || this.holds.has(key) || this.saturated.has(key) || this.drained?.has(key)) return;
    if (fetched.batch.messages.length > 0) this.fetchWait?.wake();
    this.handOut(key, fetched, 0);
  }

  /** Hands out the batch's messages from `from` on, until the partition saturates or is held. */
  private handOut(key: string, fetched: JobBatch, from: number): void {
    const { batch, resolveOffset, isRunning, isStale } = fetched;
    let tracker = this.trackers.get(key);
    if (!tracker) {
      tracker = new PartitionTracker();
      this.trackers.set(key, tracker);
    }
    const { messages } = batch;
    for (let i = from; i < messages.length; i++) {
      const message = messages[i]!;
      if (!isRunning() || isStale() || this.stopping) return;
      const offset = BigInt(message.offset);
      const next = this.expected.get(key);
      if (next !== undefined && offset < next) {
        resolveOffset(message.offset);
        continue;
      }
      if (
        (this.working.get(key) ?? 0) >= this.opts.partitionMaxInFlight ||
        this.waitingTotal >= this.opts.maxWaiting ||
        // Finished jobs behind an unfinished one are not committed yet: a crash would repeat them.
        tracker.pending >= this.uncommittedCap
      ) {
        this.saturate(key);
        // Its offsets stay unresolved, so the fetches resume after the last one handed out.
        this.kept.set(key, { fetched, from: i });
        return;
      }
      let decision: Decision;
      try {
        decision = this.handler(batch.topic, batch.partition, message);
      } catch (e) {
        // A handler bug must not kill the consumer; the message stays unresolved and is retried after a pause.
        this.logger.error({ err: e, topic: batch.topic, partition: batch.partition, offset: message.offset }, 'job handler failed');
        this.hold(key, Date.now() + 5000);
        return;
      }
      if ('hold' in decision) {
        this.hold(key, decision.hold);
        return;
      }
      this.expected.set(key, offset + 1n);
      tracker.start(message.offset);
      this.inFlight++;
      this.metrics.inFlight.inc();
      const waiting = decision.waiting === true;
      if (waiting) this.waitingTotal++;
      else this.working.set(key, (this.working.get(key) ?? 0) + 1);
      resolveOffset(message.offset);
      const t = tracker;
      decision.work.then(
        () => {
          this.settled(key, waiting);
          this.finished(key, t, message.offset);
        },
        (e: unknown) => {
          this.settled(key, waiting);
          this.failed(key, message.offset, e);
        },
      );
    }
    const last = messages[messages.length - 1];
    // Everything up to the high watermark was handed out: a slow tier may now be left out for a while.
    if (this.drained && last && batch.highWatermark !== undefined && BigInt(last.offset) + 1n >= BigInt(batch.highWatermark)) this.leaveOut([key]);
  }

  /** As a fetch starts: the drained partitions whose revisit has come go back into it. */
  private revisit(): void {
    if (!this.drained || this.stopping) return;
    const due = this.drained.due(Date.now()).filter((k) => !this.holds.has(k) && !this.saturated.has(k));
    // Not a wake-up of the fetch wait: a revisit mostly finds nothing, and a record on a revisited
    // partition ends the long poll anyway.
    if (due.length > 0) this.consumer.resume(this.group(due));
    this.metrics.partitionsLeftOut?.set(this.drained.size);
  }

  /** Partitions a fetch found read up to their high watermark, with nothing returned. */
  private leaveOutDrained(partitions: FetchedPartition[]): void {
    const keys: string[] = [];
    for (const p of partitions) {
      if (p.records > 0 || this.opts.revisitIntervalOf?.(p.topic) === undefined) continue;
      if (BigInt(p.fetchedOffset) >= BigInt(p.highWatermark)) keys.push(keyOf(p.topic, p.partition));
    }
    if (keys.length > 0) this.leaveOut(keys);
  }

  private leaveOut(keys: string[]): void {
    if (!this.drained || this.stopping) return;
    const now = Date.now();
    const pause = keys.filter((k) => this.assigned.has(k) && !this.holds.has(k) && !this.saturated.has(k) && this.drained!.drained(k, now));
    if (pause.length > 0) this.pause(pause);
    this.metrics.partitionsLeftOut?.set(this.drained.size);
  }

  private settled(key: string, waiting: boolean): void {
    if (waiting) this.waitingTotal--;
    else this.working.set(key, (this.working.get(key) ?? 1) - 1);
  }

  private finished(key: string, tracker: PartitionTracker, offset: string): void {
    tracker.finish(offset);
    this.scheduleCommit();
    this.inFlight--;
    this.metrics.inFlight.dec();
    this.resumeUnsaturated();
  }

  /** Resumes saturated partitions once their own work and the worker's waiting jobs are down to half their bounds. */
  private resumeUnsaturated(): void {
    if (this.saturated.size === 0 || this.waitingTotal > this.opts.maxWaiting / 2) return;
    // A snapshot: handing out a kept batch may saturate its partition again.
    for (const key of [...this.saturated]) {
      if ((this.working.get(key) ?? 0) > this.opts.partitionMaxInFlight / 2) continue;
      if ((this.trackers.get(key)?.pending ?? 0) > this.uncommittedCap / 2) continue;
      this.saturated.delete(key);
      const kept = this.kept.get(key);
      if (kept) {
        this.kept.delete(key);
        this.handOut(key, kept.fetched, kept.from);
      }
      // Still paused if the kept batch saturated it again, or stopped at a hold or a drained tier's end.
      if (!this.saturated.has(key) && !this.holds.has(key) && !this.drained?.has(key) && !this.stopping) this.resume([key]);
    }
  }

  /** A job that will not finish here: its offset stays uncommitted, so Kafka hands it out again. */
  private failed(key: string, offset: string, e: unknown): void {
    this.inFlight--;
    this.metrics.inFlight.dec();
    this.resumeUnsaturated();
    if ((e as Error | undefined)?.name === 'PartitionRevoked') this.logger.debug({ key, offset }, "job left to the partition's new owner");
    else this.logger.error({ err: e, key, offset }, 'job failed; it stays uncommitted');
  }

  private saturate(key: string): void {
    this.drained?.forget(key);
    this.saturated.add(key);
    this.pause([key]);
  }

  private hold(key: string, until: number): void {
    this.drained?.forget(key);
    this.pause([key]);
    clearTimeout(this.holds.get(key));
    this.holdEnds.set(key, until);
    const timer = setTimeout(
      () => {
        this.holds.delete(key);
        this.holdEnds.delete(key);
        if (!this.saturated.has(key) && !this.stopping) this.resume([key]);
      },
      Math.max(0, until - Date.now()),
    );
    this.holds.set(key, timer);
  }

  private pause(keys: string[]): void {
    this.consumer.pause(this.group(keys));
  }

  private resume(keys: string[]): void {
    this.fetchWait?.wake();
    this.consumer.resume(this.group(keys));
  }

  private nextFetchWait(): number {
    const wait = this.fetchWait!;
    // Neither past a held partition's resume nor past a drained one's revisit.
    let earliest = this.drained?.nextRevisit() ?? Infinity;
    for (const end of this.holdEnds.values()) earliest = Math.min(earliest, end);
    return wait.next({
      // Stopping: the disconnect waits for the fetch in progress.
      busy: this.inFlight > 0 || this.stopping,
      saturated: this.saturated.size > 0,
      ...(earliest < Infinity ? { msUntilResume: earliest - Date.now() } : {}),
    });
  }

  private group(keys: string[]): { topic: string; partitions: number[] }[] {
    const byTopic = new Map<string, number[]>();
    for (const k of keys) {
      const { topic, partition } = parseKey(k);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /**
   * After a rebalance: forget partitions no longer ours (their unfinished jobs will be
   * redelivered to the new owner) and make sure nothing assigned stays paused by mistake. No
   * partition is known drained any more: kafkajs reads each again from its committed offset.
   */
  private onAssignment(assignment: Record<string, number[]>): void {
    this.joined = true;
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) for (const p of partitions) assigned.add(keyOf(topic, p));
    this.assigned = assigned;
    if (this.drained && this.drained.clear().length > 0) this.metrics.partitionsLeftOut?.set(0);
    // kafkajs reads every partition again from its committed offset.
    this.kept.clear();
    for (const key of [...this.trackers.keys(), ...this.holds.keys(), ...this.saturated]) {
      if (assigned.has(key)) continue;
      this.trackers.delete(key);
      this.expected.delete(key);
      clearTimeout(this.holds.get(key));
      this.holds.delete(key);
      this.holdEnds.delete(key);
      this.saturated.delete(key);
    }
    const free = [...assigned].filter((k) => !this.holds.has(k) && !this.saturated.has(k));
    if (free.length > 0 && !this.stopping) this.resume(free);
    this.opts.onAssigned?.(assigned);
    this.logger.info({ partitions: assigned.size }, 'joined the consumer group');
  }

  /**
   * A commit one interval after work finished, rather than a timer every interval: an idle
   * worker has nothing to commit and should not wake up to find that out.
   */
  private scheduleCommit(): void {
    if (this.commitTimer || this.stopping) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      // A job that finished while an earlier commit was still out may not be in it: look again.
      void this.commit().then(() => {
        if ([...this.trackers.values()].some((t) => t.toCommit() !== undefined)) this.scheduleCommit();
      });
    }, this.opts.commitIntervalMs);
  }

  /** Commits, per partition, the offset after the longest finished prefix. */
  commit(): Promise<void> {
    this.committing ??= this.doCommit().finally(() => (this.committing = undefined));
    return this.committing;
  }

  private async doCommit(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string; tracker: PartitionTracker }[] = [];
    for (const [key, tracker] of this.trackers) {
      const offset = tracker.toCommit();
      if (offset !== undefined) offsets.push({ ...parseKey(key), offset, tracker });
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      for (const o of offsets) o.tracker.markCommitted(o.offset);
    } catch (e) {
      this.logger.warn({ err: e }, 'offset commit failed; will retry');
      this.scheduleCommit();
    }
  }

  /**
   * Stops taking jobs and waits, up to `deadlineMs`, until the unfinished jobs are only those
   * `abandoned` counts (taken but never started: Kafka redelivers them); commits what finished.
   */
  async stop(deadlineMs: number, abandoned: () => number = () => 0): Promise<void> {
    this.stopping = true;
    this.kept.clear();
    this.consumer.pause(this.opts.topics.map((topic) => ({ topic })));
    for (const t of this.holds.values()) clearTimeout(t);
    this.holds.clear();
    this.holdEnds.clear();
    const until = Date.now() + deadlineMs;
    while (this.inFlight > abandoned() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (this.inFlight > 0) this.logger.info({ unfinished: this.inFlight }, 'shutdown: jobs not finished are left to redelivery');
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    await this.commit();
    await this.consumer.disconnect();
  }
}
