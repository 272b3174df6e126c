import type { Admin, Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import client, { type Registry } from 'prom-client';
import type { Health } from '../http/health.js';

export interface ConsumerProgressOptions {
  admin: Admin;
  consumer: Consumer;
  groupId: string;
  topics: string[];
  metrics: Registry;
  health: Health;
  logger: Logger;
  /** How often lag is measured. */
  intervalMs?: number;
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
  opts.consumer.on(opts.consumer.events.COMMIT_OFFSETS, () => {
    lastCommit = Date.now();
  });
  /** This member's partitions since it last joined: another member's lag is not this one's stall. */
  let assigned: Set<string> | undefined;
  opts.consumer.on(opts.consumer.events.GROUP_JOIN, (e) => {
    lastCommit = Date.now();
    assigned = new Set(Object.entries(e.payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}:${p}`)));
  });
  const counts = (topic: string, partition: number) => (assigned?.has(`${topic}:${partition}`) ?? true) && !opts.heldUntilDue?.(topic, partition);

  async function measure(): Promise<void> {
    let lag = 0;
    // The group's offsets of all topics in one request (a coordinator lookup and an offset fetch
    // per topic and round before: most of an idle worker's requests to the broker).
    const [latests, committed] = await Promise.all([
      Promise.all(opts.topics.map((topic) => opts.admin.fetchTopicOffsets(topic))),
      opts.admin.fetchOffsets({ groupId: opts.groupId, topics: opts.topics }),
    ]);
    for (const [i, topic] of opts.topics.entries()) {
      const latest = latests[i] ?? [];
      const done = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      for (const p of latest) {
        const end = Number(p.high);
        const at = done.get(p.partition) ?? -1;
        // -1: nothing committed yet; the group starts from the earliest retained offset.
        const partitionLag = Math.max(0, at < 0 ? end - Number(p.low) : end - at);
        lagGauge.set({ group: opts.groupId, topic, partition: String(p.partition) }, partitionLag);
        if (counts(topic, p.partition)) lag += partitionLag;
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
    const up = measured && (await (opts.dependenciesUp?.() ?? Promise.resolve(true)).catch(() => false));
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

  let busy = false;
  const timer = setInterval(() => {
    sinceCommit.set({ group: opts.groupId }, (Date.now() - lastCommit) / 1000);
    // A round still waiting for a broker or database that does not answer: no second one behind it.
    if (busy) return;
    busy = true;
    const startedAt = Date.now();
    measure()
      .then(
        () => true,
        (e: unknown) => {
          opts.logger.debug({ err: e }, 'lag measurement failed');
          return false;
        },
      )
      .then((measured) => checkStuck(measured, startedAt))
      .catch((e: unknown) => opts.logger.warn({ err: e }, 'stuck check failed'))
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();

  opts.health.add(`progress:${opts.groupId}`, async () => {
    const stalled = stalledMs();
    if (stalled > stallAfterMs && Date.now() - lastMeasured < intervalMs * 3) {
      throw new Error(`no offset committed for ${Math.round(stalled / 1000)} s while ${totalLag} messages wait`);
    }
  });
  return {
    stop: () => clearInterval(timer),
    lastCommitAt: () => lastCommit,
  };
}

function getOrCreate<T extends client.Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
