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
    events: { COMMIT_OFFSETS: 'commit', GROUP_JOIN: 'join' },
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
});
