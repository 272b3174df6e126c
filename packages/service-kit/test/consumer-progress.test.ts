import { EventEmitter } from 'node:events';
import type { Admin, Consumer } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Health } from '../src/http/health.js';
import { trackConsumerProgress } from '../src/kafka/consumer-progress.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The two admin calls the tracker makes, answering one message of lag on partition 0 (end
 * 5, committed 4) and, while `away` is set, not answering until it is cleared, as kafkajs
 * does while it retries through a broker outage.
 */
function laggingCluster() {
  let away: Promise<void> | undefined;
  let back = () => {};
  const answer = async <T>(value: T) => {
    while (away) await away;
    return value;
  };
  const admin = {
    fetchTopicOffsets: () => answer([{ partition: 0, offset: '5', high: '5', low: '0' }]),
    fetchOffsets: () => answer([{ topic: 't', partitions: [{ partition: 0, offset: '4', metadata: null }] }]),
  } as unknown as Admin;
  const events = new EventEmitter();
  const consumer = {
    events: { COMMIT_OFFSETS: 'commit', GROUP_JOIN: 'join', START_BATCH_PROCESS: 'batch' },
    on: (name: string, fn: (...args: unknown[]) => void) => events.on(name, fn),
  } as unknown as Consumer;
  return {
    admin,
    consumer,
    leave: () => {
      away = new Promise<void>((r) => (back = r));
    },
    return: () => {
      away = undefined;
      back();
    },
  };
}

/** Gaps between consecutive times. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

/**
 * A group that committed everything on its one partition (until `end` moves past 5): records
 * when each round asks for the committed offsets, and emits the consumer's events on demand.
 */
function idleCluster() {
  const rounds: number[] = [];
  const events = new EventEmitter();
  const state = {
    end: 5,
    rounds,
    emit: (name: string) => events.emit(name),
    async waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await condition()) return true;
        await sleep(10);
      }
      return false;
    },
    options: () => ({
      admin: {
        fetchTopicOffsets: async () => [{ partition: 0, offset: String(state.end), high: String(state.end), low: '0' }],
        fetchOffsets: async () => {
          rounds.push(Date.now());
          return [{ topic: 't', partitions: [{ partition: 0, offset: '5', metadata: null }] }];
        },
      } as unknown as Admin,
      consumer: {
        events: { COMMIT_OFFSETS: 'commit', GROUP_JOIN: 'join', START_BATCH_PROCESS: 'batch' },
        on: (name: string, fn: (...args: unknown[]) => void) => events.on(name, fn),
      } as unknown as Consumer,
      groupId: 'g',
      topics: ['t'],
      metrics: new Registry(),
      health: new Health(),
      logger: pino({ level: 'silent' }),
    }),
  };
  return state;
}

describe('consumer progress watchdog', () => {
  it('does not count a broker outage that one slow lag measurement spanned as a stall, and still fires once the stall outlives it', async () => {
    const cluster = laggingCluster();
    const stuck: number[] = [];
    const progress = trackConsumerProgress({
      admin: cluster.admin,
      consumer: cluster.consumer,
      groupId: 'g',
      topics: ['t'],
      metrics: new Registry(),
      health: new Health(),
      logger: pino({ level: 'silent' }),
      intervalMs: 50,
      stuckAfterMs: 1000,
      onStuck: () => stuck.push(Date.now()),
    });
    try {
      // Lag is seen; then the broker goes away for 1.5 s and a measurement waits it out.
      await sleep(120);
      cluster.leave();
      await sleep(1500);
      cluster.return();
      const backAt = Date.now();
      // Before the fix: fired as soon as that measurement ended (stalled 1.5 s "with Kafka up").
      await sleep(400);
      expect(stuck).toEqual([]);
      // The consumer still commits nothing with the broker answering: replaced after 1 s.
      const deadline = Date.now() + 5000;
      while (stuck.length === 0 && Date.now() < deadline) await sleep(50);
      expect(stuck).toHaveLength(1);
      expect(stuck[0]! - backAt).toBeGreaterThanOrEqual(900);
    } finally {
      progress.stop();
    }
  });

  it('measures the lag of every topic with one fetch of the group offsets per round', async () => {
    const offsetFetches: string[][] = [];
    const admin = {
      fetchTopicOffsets: async (topic: string) => [
        { partition: 0, offset: '10', high: '10', low: '0' },
        { partition: 1, offset: topic === 'a' ? '7' : '3', high: topic === 'a' ? '7' : '3', low: '0' },
      ],
      fetchOffsets: async ({ topics }: { topics: string[] }) => {
        offsetFetches.push(topics);
        return [
          { topic: 'b', partitions: [{ partition: 0, offset: '10', metadata: null }] },
          {
            topic: 'a',
            partitions: [
              { partition: 0, offset: '4', metadata: null },
              { partition: 1, offset: '7', metadata: null },
            ],
          },
        ];
      },
    } as unknown as Admin;
    const consumer = { events: { COMMIT_OFFSETS: 'commit', GROUP_JOIN: 'join', START_BATCH_PROCESS: 'batch' }, on: () => undefined } as unknown as Consumer;
    const metrics = new Registry();
    const progress = trackConsumerProgress({
      admin,
      consumer,
      groupId: 'g',
      topics: ['a', 'b'],
      metrics,
      health: new Health(),
      logger: pino({ level: 'silent' }),
      intervalMs: 20,
    });
    try {
      const deadline = Date.now() + 5000;
      while (offsetFetches.length === 0 && Date.now() < deadline) await sleep(10);
      await sleep(10);
      const lag = (await metrics.getSingleMetric('hookstream_consumer_lag')!.get()).values;
      const byPartition = Object.fromEntries(lag.map((v) => [`${v.labels.topic}:${v.labels.partition}`, v.value]));
      // a:0 end 10 committed 4; a:1 caught up; b:0 caught up; b:1 nothing committed, 3 from the start.
      expect(byPartition).toEqual({ 'a:0': 6, 'a:1': 0, 'b:0': 0, 'b:1': 3 });
      expect(offsetFetches[0]).toEqual(['a', 'b']);
    } finally {
      progress.stop();
    }
  });

  it('stretches its rounds while the group idles, and is back at the base period at the first commit', async () => {
    const cluster = idleCluster();
    const progress = trackConsumerProgress({ ...cluster.options(), intervalMs: 20, idleIntervalMs: 1600 });
    try {
      // 20, 40, 80 ... 1600 ms: after a few seconds the rounds are 1.6 s apart.
      const stretched = await cluster.waitFor(() => gaps(cluster.rounds).some((g) => g >= 1500), 10_000);
      expect(stretched).toBe(true);
      // A timer never fires early: no two rounds closer than the period they were scheduled at.
      const afterStretch = cluster.rounds.length;
      await sleep(3500);
      expect(gaps(cluster.rounds.slice(afterStretch - 1)).every((g) => g >= 1500)).toBe(true);
      // Right after a round, the next is 1.6 s away; a commit brings it to the base period.
      const last = cluster.rounds.length;
      await cluster.waitFor(() => cluster.rounds.length > last, 5000);
      const committedAt = Date.now();
      cluster.emit('commit');
      await cluster.waitFor(() => cluster.rounds.length > last + 1, 5000);
      expect(cluster.rounds.at(-1)! - committedAt).toBeLessThan(1000);
    } finally {
      progress.stop();
    }
  });

  it('still reports a stall that begins while the group idles, and asks PostgreSQL only while messages wait', async () => {
    const cluster = idleCluster();
    let pings = 0;
    const health = new Health();
    const progress = trackConsumerProgress({
      ...cluster.options(),
      health,
      intervalMs: 20,
      idleIntervalMs: 400,
      stallAfterMs: 300,
      stuckAfterMs: 60_000,
      dependenciesUp: async () => {
        pings++;
        return true;
      },
    });
    try {
      await cluster.waitFor(() => gaps(cluster.rounds).some((g) => g >= 350), 10_000);
      expect(pings).toBe(0);
      // Messages arrive and nobody takes them: no batch, no commit.
      cluster.end = 7;
      const arrived = Date.now();
      const failedAt = await cluster.waitFor(async () => (await health.report()).ok === false, 10_000).then(() => Date.now());
      expect(failedAt - arrived).toBeGreaterThanOrEqual(300);
      expect(pings).toBeGreaterThan(0);
    } finally {
      progress.stop();
    }
  });
});
