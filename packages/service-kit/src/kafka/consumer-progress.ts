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
}

/**
 * Lag per partition and the time since this consumer last committed, as metrics, and
 * a readiness check that fails when the consumer has work waiting but has stopped
 * committing (a stuck handler or lost group membership), so the platform restarts it
 * instead of it idling silently while the API keeps accepting events.
 */
export function trackConsumerProgress(opts: ConsumerProgressOptions): { stop(): void; lastCommitAt(): number } {
  const intervalMs = opts.intervalMs ?? 5000;
  const stallAfterMs = opts.stallAfterMs ?? 60_000;
  const lagGauge = getOrCreate(opts.metrics, 'hookstream_consumer_lag', () => new client.Gauge({
    name: 'hookstream_consumer_lag',
    help: 'Messages not yet committed by the consumer group, per topic partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [opts.metrics],
  }));
  const sinceCommit = getOrCreate(opts.metrics, 'hookstream_consumer_seconds_since_last_commit', () => new client.Gauge({
    name: 'hookstream_consumer_seconds_since_last_commit',
    help: 'Seconds since this process last committed an offset (or since it joined its group)',
    labelNames: ['group'],
    registers: [opts.metrics],
  }));
  let lastCommit = Date.now();
  let totalLag = 0;
  let lastMeasured = 0;
  opts.consumer.on(opts.consumer.events.COMMIT_OFFSETS, () => {
    lastCommit = Date.now();
  });
  opts.consumer.on(opts.consumer.events.GROUP_JOIN, () => {
    lastCommit = Date.now();
  });

  async function measure(): Promise<void> {
    let lag = 0;
    for (const topic of opts.topics) {
      const [latest, committed] = await Promise.all([
        opts.admin.fetchTopicOffsets(topic),
        opts.admin.fetchOffsets({ groupId: opts.groupId, topics: [topic] }),
      ]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      for (const p of latest) {
        const end = Number(p.high);
        const at = done.get(p.partition) ?? -1;
        // -1: nothing committed yet; the group starts from the earliest retained offset.
        const partitionLag = Math.max(0, at < 0 ? end - Number(p.low) : end - at);
        lagGauge.set({ group: opts.groupId, topic, partition: String(p.partition) }, partitionLag);
        lag += partitionLag;
      }
    }
    totalLag = lag;
    lastMeasured = Date.now();
  }

  const timer = setInterval(() => {
    sinceCommit.set({ group: opts.groupId }, (Date.now() - lastCommit) / 1000);
    measure().catch((e: unknown) => opts.logger.debug({ err: e }, 'lag measurement failed'));
  }, intervalMs);
  timer.unref();

  opts.health.add(`progress:${opts.groupId}`, async () => {
    const idle = Date.now() - lastCommit;
    if (totalLag > 0 && idle > stallAfterMs && Date.now() - lastMeasured < intervalMs * 3) {
      throw new Error(`no offset committed for ${Math.round(idle / 1000)} s while ${totalLag} messages wait`);
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
