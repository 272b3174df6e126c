#!/usr/bin/env node
// Cost of the two ways to hand a slice of `events` over to `deliveries` safely, measured on the
// real broker: (a) at-least-once: idempotent produce (acks=all) then commit the consumer offsets;
// (b) exactly-once: a Kafka transaction (produce + sendOffsets + commit).
//   npm run build && KAFKA_BROKERS=127.0.0.1:9092 npm run matcher:commit -w @hookstream/bench -- [--events=20000] [--slice=500] [--fanout=5]
import { randomUUID } from 'node:crypto';
import { createKafka, createLogger, Publisher, publishInTransaction } from '@hookstream/service-kit';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const EVENTS = Number(args.get('events') ?? 20_000);
const SLICE = Number(args.get('slice') ?? 500);
const FANOUT = Number(args.get('fanout') ?? 5);
const PARTITIONS = 3;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const prefix = `bench-${Date.now().toString(36)}.`;
const kafka = createKafka({ brokers, clientId: 'matcher-commit-bench', logger: createLogger('bench', 'error') });
const job = 'x'.repeat(850);

async function run(mode: 'at-least-once' | 'transactional', source: string, sink: string): Promise<number> {
  const groupId = `${prefix}${mode}`;
  const producer: Producer =
    mode === 'transactional'
      ? kafka.producer({ transactionalId: `${groupId}-tx`, idempotent: true, maxInFlightRequests: 1 })
      : kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const publisher = new Publisher(producer);
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: source, fromBeginning: true });
  let done = 0;
  let started = 0;
  let finish: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }: EachBatchPayload) => {
      if (!started) started = performance.now();
      for (let i = 0; i < batch.messages.length; i += SLICE) {
        const slice = batch.messages.slice(i, i + SLICE);
        const messages = slice.flatMap((m) => Array.from({ length: FANOUT }, (_, k) => ({ key: `${m.offset}-${k}`, value: job })));
        const next = (BigInt(slice[slice.length - 1]!.offset) + 1n).toString();
        const offsets = [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }];
        if (mode === 'transactional') {
          const tx = await producer.transaction();
          await publishInTransaction(tx, [{ topic: sink, messages }]);
          await tx.sendOffsets({ consumerGroupId: groupId, topics: offsets });
          await tx.commit();
        } else {
          await publisher.publish([{ topic: sink, messages }]);
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        }
        resolveOffset(slice[slice.length - 1]!.offset);
        done += slice.length;
        if (done >= EVENTS) finish();
      }
    },
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  return EVENTS / seconds;
}

async function main(kafkaClient: Kafka): Promise<void> {
  const admin = kafkaClient.admin();
  await admin.connect();
  const source = `${prefix}events`;
  const sinks = [`${prefix}deliveries-a`, `${prefix}deliveries-b`];
  await admin.createTopics({ waitForLeaders: true, topics: [source, ...sinks].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
  try {
    const producer = kafkaClient.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const publisher = new Publisher(producer);
    const value = JSON.stringify({ id: randomUUID(), pad: 'y'.repeat(600) });
    for (let i = 0; i < EVENTS; i += 1000) {
      await publisher.publish([{ topic: source, messages: Array.from({ length: Math.min(1000, EVENTS - i) }, (_, k) => ({ key: String(i + k), value })) }]);
    }
    await producer.disconnect();
    const atLeastOnce = await run('at-least-once', source, sinks[0]!);
    const transactional = await run('transactional', source, sinks[1]!);
    process.stdout.write(
      `${EVENTS} events, slices of ${SLICE}, fan-out ${FANOUT} (${EVENTS * FANOUT} jobs of ~${job.length} bytes), ${PARTITIONS} partitions\n` +
        `at-least-once (idempotent produce + commit): ${Math.round(atLeastOnce)} events/s\n` +
        `transactional (produce + sendOffsets + commit): ${Math.round(transactional)} events/s (${Math.round((1 - transactional / atLeastOnce) * 100)} % slower)\n`,
    );
  } finally {
    await admin.deleteTopics({ topics: [source, ...sinks] }).catch(() => undefined);
    await admin.disconnect();
  }
}

await main(kafka);
