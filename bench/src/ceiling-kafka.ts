import { Publisher } from '@hookstream/service-kit';
import type { Kafka } from 'kafkajs';
import { sleep } from './stats.js';

/**
 * Ceiling B: the pipeline's Kafka shape without its logic: produce to topic 1, a
 * consumer group relays every message to topic 2, a second group consumes topic 2.
 * Returns messages per second arriving at the end of the relay.
 */
export async function kafkaCeiling(kafka: Kafka, topics: [string, string], value: string, seconds: number): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const relayProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const relay = kafka.consumer({ groupId: `${topics[0]}.relay`, maxWaitTimeInMs: 20 });
  const sink = kafka.consumer({ groupId: `${topics[1]}.sink`, maxWaitTimeInMs: 20 });
  await Promise.all([producer.connect(), relayProducer.connect(), relay.connect(), sink.connect()]);
  // Through the Publisher, as the apps produce: concurrent callers' sends are coalesced.
  const publisher = new Publisher(producer);
  const relayPublisher = new Publisher(relayProducer);
  await relay.subscribe({ topic: topics[0], fromBeginning: true });
  await sink.subscribe({ topic: topics[1], fromBeginning: true });
  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  await relay.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      await relayPublisher.publish([{ topic: topics[1], messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) }]);
    },
  });
  await sink.run({
    eachBatch: async ({ batch }) => {
      if (!firstAt) firstAt = Date.now();
      received += batch.messages.length;
      lastAt = Date.now();
    },
  });
  await sleep(1500); // group joins
  const deadline = Date.now() + seconds * 1000;
  let sent = 0;
  const batch = Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 16}`, value }));
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < deadline) {
        await publisher.publish([{ topic: topics[0], messages: batch }]);
        sent += batch.length;
      }
    }),
  );
  const drainUntil = Date.now() + 15_000;
  while (received < sent && Date.now() < drainUntil) await sleep(50);
  await Promise.all([producer.disconnect(), relayProducer.disconnect(), relay.disconnect(), sink.disconnect()]);
  return received / Math.max(0.001, (lastAt - firstAt) / 1000);
}
