import type { Admin, Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import client, { type Registry } from 'prom-client';
import type { Health } from '../http/health.js';
import { committedOffsets } from './committed-offsets.js';
import { topicWatermarks } from './topic-watermarks.js';

export interface ConsumerProgressOptions {
  admin: Admin;
  consumer: Consumer;
  groupId: string;
  topics: string[];
  metrics: Registry;
  health: Health;
  logger: Logger;
  /** How often lag is measured while the group works (5 s). */
  intervalMs?: number;
  /**
   * The longest pause between two measurements while the group idles (4 x `intervalMs`): the
   * pause doubles after every round that saw no lag, no commit and no batch, and is back at
   * `intervalMs` at the first commit, batch or lag. Bounds how late the lag of a consumer that
   * stopped while idle is first seen, so its stall is reported at most `stallAfterMs` plus this
   * after its first message.
   */
  idleIntervalMs?: number;
  /** Not ready when there is lag and no offset was committed for this long. */
  stallAfterMs?: number;
  /**
   * Partitions the consumer holds back on purpose until a time (a retry tier waiting for its
   * first job's due time): their lag is reported but is not a stall.
   */
  heldUntilDue?: (topic: string, partition: number) => boolean;
  /**
   * Called once when the consumer has been stalled this long while Kafka answered and
   * `dependenciesUp` held the whole time (0: never). A stall that outlives its causes is a
   * consumer that will not recover by itself (kafkajs left it behind after a broker restart,
   * a handler that never settles): the app exits so its supervisor starts a fresh process.
   */
  stuckAfterMs?: number;
  onStuck?: (reason: string) => void;
  /** Whether the process's other dependencies answer: a stall while they do not is theirs. */
  dependenciesUp?: () => Promise<boolean>;
}

/**
 * Lag per partition and the time since this consumer last committed, as metrics; a
 * readiness check that fails when the consumer has work waiting on its own partitions but
 * has stopped committing (a stuck handler or lost group membership); and, past
 * `stuckAfterMs` with Kafka and the other dependencies answering, `onStuck`, so the process
 * is replaced instead of idling silently while the API keeps accepting events.
 */
export function trackConsumerProgress(opts: ConsumerProgressOptions): { stop(): void; lastCommitAt(): number } {
  const intervalMs = opts.intervalMs ?? 5000;
  const idleIntervalMs = Math.max(intervalMs, opts.idleIntervalMs ?? intervalMs * 4);
  const stallAfterMs = opts.stallAfterMs ?? 60_000;
  const lagGauge = getOrCreate(
    opts.metrics,
    'hookstream_consumer_lag',
    () =>
      new client.Gauge({
        name: 'hookstream_consumer_lag',
        help: 'Messages not yet committed by the consumer group, per topic partition',
        labelNames: ['group', 'topic', 'partition'],
        registers: [opts.metrics],
      }),
  );
  const sinceCommit = getOrCreate(
    opts.metrics,
    'hookstream_consumer_seconds_since_last_commit',
    () =>
      new client.Gauge({
        name: 'hookstream_consumer_seconds_since_last_commit',
        help: 'Seconds since this process last committed an offset (or since it joined its group)',
        labelNames: ['group'],
        registers: [opts.metrics],
      }),
  );
  let lastCommit = Date.now();
  let totalLag = 0;
  let lastMeasured = 0;
  /**
   * Since when messages have waited without a break (first seen by a measurement): a stall
   * starts at the later of this and the last commit, so the first job after an idle hour is
   * not taken for an hour-long stall.
   */
  let lagSince: number | undefined;
  /** Since when Kafka and the other dependencies have answered without a break. */
  let upSince = Date.now();
  let stuckReported = false;
  let busy = false;
  let stopped = false;
  /** The pause before the next round: `intervalMs`, longer while the group idles. */
  let period = intervalMs;
  /** A commit, a batch or a join since the last round started. */
  let worked = false;
  let timer: NodeJS.Timeout | undefined;
  let dueAt = 0;
  opts.consumer.on(opts.consumer.events.COMMIT_OFFSETS, () => {
    lastCommit = Date.now();
    sawWork();
  });
  // A batch handed to the app: work that a consumer stuck in its handler never commits.
  opts.consumer.on(opts.consumer.events.START_BATCH_PROCESS, () => sawWork());
  /** This member's partitions since it last joined: another member's lag is not this one's stall. */
  let assigned: Set<string> | undefined;
  opts.consumer.on(opts.consumer.events.GROUP_JOIN, (e) => {
    lastCommit = Date.now();
    sawWork();
    assigned = new Set(Object.entries(e.payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}:${p}`)));
  });
  const counts = (topic: string, partition: number) => (assigned?.has(`${topic}:${partition}`) ?? true) && !opts.heldUntilDue?.(topic, partition);

  /** What each partition's gauge was last set to: an unchanged value is not set again. */
  const reported = new Map<string, number[]>();
  const report = (topic: string, partition: number, lag: number) => {
    let values = reported.get(topic);
    if (!values) reported.set(topic, (values = []));
    if (values[partition] === lag) return;
    values[partition] = lag;
    lagGauge.set({ group: opts.groupId, topic, partition: String(partition) }, lag);
  };

  async function measure(): Promise<void> {
    let lag = 0;
    // The ends of all topics in one ListOffsets request and the group's offsets in one OffsetFetch
    // (two ListOffsets per topic, a FindCoordinator and two Metadata requests more per round
    // before: 20 requests every 5 s for the worker's 8 topics).
    const [ends, committed] = await Promise.all([topicWatermarks(opts.admin, opts.topics, 'high'), committedOffsets(opts.admin, opts.groupId, opts.topics)]);
    const at = (topic: string, partition: number) => Number(committed.get(topic)?.get(partition) ?? -1);
    // -1: nothing committed yet; the group starts from the earliest retained offset, which is asked
    // for only then (a partition never written to has nothing to start from).
    const fromStart = (topic: string, partition: number) => at(topic, partition) < 0 && Number(ends.get(topic)?.get(partition) ?? 0) > 0;
    const needStarts = opts.topics.some((topic) => [...(ends.get(topic)?.keys() ?? [])].some((p) => fromStart(topic, p)));
    const starts = needStarts ? await topicWatermarks(opts.admin, opts.topics, 'low', fromStart) : undefined;
    for (const topic of opts.topics) {
      for (const [partition, high] of ends.get(topic) ?? []) {
        const end = Number(high);
        const from = at(topic, partition) >= 0 ? at(topic, partition) : Number(starts?.get(topic)?.get(partition) ?? end);
        const partitionLag = Math.max(0, end - from);
        report(topic, partition, partitionLag);
        if (counts(topic, partition)) lag += partitionLag;
      }
    }
    totalLag = lag;
    lastMeasured = Date.now();
    if (lag === 0) lagSince = undefined;
    else lagSince ??= lastMeasured;
  }

  /** How long the consumer has had work waiting without committing (0: not stalled). */
  const stalledMs = (from = 0) => (lagSince === undefined ? 0 : Date.now() - Math.max(lastCommit, lagSince, from));

  /**
   * After a measurement that started at `startedAt`: is this a stall that outlived every
   * outage, for longer than `stuckAfterMs`?
   */
  async function checkStuck(measured: boolean, startedAt: number): Promise<void> {
    // The other dependencies are asked only while messages wait (an idle worker queried PostgreSQL
    // every round for nothing): a stall counts from when its lag was first seen, so whether they
    // answered before does not matter.
    const asked = lagSince !== undefined && !!opts.stuckAfterMs && !stuckReported;
    const up = measured && (!asked || (await (opts.dependenciesUp?.() ?? Promise.resolve(true)).catch(() => false)));
    // A round that took longer than an interval waited on something that did not answer:
    // kafkajs retries through a short broker outage, so such a round can end in success
    // although the broker was away for most of it. Only quick answers prove "up".
    if (!up || Date.now() - startedAt > intervalMs) {
      upSince = Date.now();
      return;
    }
    const stalledFor = stalledMs(upSince);
    if (!opts.stuckAfterMs || stuckReported || stalledFor < opts.stuckAfterMs) return;
    stuckReported = true;
    opts.onStuck?.(`no offset committed for ${Math.round(stalledFor / 1000)} s while ${totalLag} messages wait and Kafka and PostgreSQL answer`);
  }

  const schedule = (ms: number) => {
    clearTimeout(timer);
    dueAt = Date.now() + ms;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  function sawWork(): void {
    worked = true;
    if (period === intervalMs) return;
    period = intervalMs;
    // The round a long idle pause put off comes at the usual period: lag that builds now is seen as before.
    if (!stopped && !busy && dueAt - Date.now() > intervalMs) schedule(intervalMs);
  }

  function tick(): void {
    const tickAt = Date.now();
    // Also the next tick while this round waits for a broker or database that does not answer.
    schedule(period);
    sinceCommit.set({ group: opts.groupId }, (tickAt - lastCommit) / 1000);
    // A round still waiting: no second one behind it.
    if (busy) return;
    busy = true;
    worked = false;
    void measure()
      .then(
        () => true,
        (e: unknown) => {
          opts.logger.debug({ err: e }, 'lag measurement failed');
          return false;
        },
      )
      .then(async (measured) => {
        await checkStuck(measured, tickAt);
        return measured;
      })
      .catch((e: unknown) => {
        opts.logger.warn({ err: e }, 'stuck check failed');
        return false;
      })
      .then((measured) => {
        busy = false;
        const idle = measured && lagSince === undefined && !worked;
        const next = idle ? Math.min(period * 2, idleIntervalMs) : intervalMs;
        if (next !== period && !stopped) {
          period = next;
          schedule(Math.max(0, tickAt + period - Date.now()));
        }
      });
  }
  schedule(intervalMs);

  opts.health.add(`progress:${opts.groupId}`, async () => {
    const stalled = stalledMs();
    if (stalled > stallAfterMs && Date.now() - lastMeasured < intervalMs * 3) {
      throw new Error(`no offset committed for ${Math.round(stalled / 1000)} s while ${totalLag} messages wait`);
    }
  });
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    lastCommitAt: () => lastCommit,
  };
}

function getOrCreate<T extends client.Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
