import { createKafka, createLogger, ensureTopics, Publisher, topicNames, topicSpecs, type KafkaSecurity, type TopicNames } from '@hookstream/service-kit';
import type { Admin, Consumer, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { testInfra, uniqueId } from './environment.js';
import { waitFor } from './wait.js';

export interface TestKafka {
  kafka: Kafka;
  admin: Admin;
  /** Unique topic prefix of this test: pass it to apps as KAFKA_TOPIC_PREFIX. */
  prefix: string;
  topics: TopicNames;
  /** Every consumer made through `consume` gets a group id under this. */
  groupPrefix: string;
  /** Collects messages of a topic from its beginning. */
  consume(topic: string): Promise<Collector>;
  /**
   * Writes records (encoded by the `schemas` record modules, or raw bytes when a test sends
   * something malformed on purpose) through the apps' Publisher; resolves once acknowledged.
   */
  publish(topic: string, messages: Message[]): Promise<void>;
  close(): Promise<void>;
}

export interface Collector {
  messages: (KafkaMessage & { partition: number; topic: string })[];
  /** Resolves once at least n messages arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Collector['messages']>;
  /**
   * Resolves once every record the topic holds now (its high watermarks at the call) has arrived:
   * counting copies of a record is only meaningful after that, since acknowledged records reach a
   * consumer some time later.
   */
  caughtUp(timeoutMs?: number): Promise<Collector['messages']>;
  json<T = unknown>(): T[];
  stop(): Promise<void>;
}

/** Kafka client, admin and a full set of pipeline topics under a prefix nobody else uses. */
export async function createTestKafka(
  opts: { partitions?: number; createTopics?: boolean; brokers?: string[]; security?: KafkaSecurity } = {},
): Promise<TestKafka> {
  const prefix = `${uniqueId('t')}.`;
  const logger = createLogger('test', process.env.HOOKSTREAM_TEST_LOG_LEVEL ?? 'error');
  const kafka = createKafka({ brokers: opts.brokers ?? testInfra().brokers, clientId: `test-${prefix}`, logger, security: opts.security });
  const admin = kafka.admin();
  await admin.connect();
  const partitions = opts.partitions ?? 2;
  if (opts.createTopics !== false) {
    await ensureTopics(
      admin,
      topicSpecs({
        KAFKA_TOPIC_PREFIX: prefix,
        TOPIC_PARTITIONS_EVENTS: partitions,
        TOPIC_PARTITIONS_DELIVERIES: partitions,
        TOPIC_PARTITIONS_RETRY: partitions,
        TOPIC_PARTITIONS_DLQ: 1,
      }),
    );
  }
  const consumers: Consumer[] = [];
  const groupPrefix = `${prefix}group`;
  let producer: Producer | undefined;
  let publisher: Promise<Publisher> | undefined;
  return {
    kafka,
    admin,
    prefix,
    topics: topicNames(prefix),
    groupPrefix,
    async consume(topic) {
      const consumer = kafka.consumer({ groupId: `${groupPrefix}.${uniqueId('c')}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
      consumers.push(consumer);
      const messages: Collector['messages'] = [];
      const seen = new Map<number, bigint>();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      await consumer.run({
        eachMessage: async ({ message, partition, topic: t }) => {
          messages.push({ ...message, partition, topic: t });
          seen.set(partition, BigInt(message.offset) + 1n);
        },
      });
      await waitFor(() => joined, { timeoutMs: 30_000, what: `consumer of ${topic} to join its group` });
      return {
        messages,
        async waitFor(n, timeoutMs = 20_000) {
          await waitFor(() => messages.length >= n, { timeoutMs, what: `${n} messages on ${topic} (have ${messages.length})` });
          return messages;
        },
        async caughtUp(timeoutMs = 20_000) {
          const ends = await admin.fetchTopicOffsets(topic);
          const behind = () => ends.filter((e) => (seen.get(e.partition) ?? 0n) < BigInt(e.high));
          await waitFor(() => behind().length === 0, {
            timeoutMs,
            what: `every record of ${topic} up to its high watermarks (behind on partitions ${behind()
              .map((e) => e.partition)
              .join(', ')})`,
          });
          return messages;
        },
        json<T>() {
          return messages.map((m) => JSON.parse(m.value?.toString() ?? 'null') as T);
        },
        stop: () => consumer.disconnect(),
      };
    },
    async publish(topic, messages) {
      publisher ??= (async () => {
        producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
        await producer.connect();
        return new Publisher(producer);
      })();
      await (await publisher).publish([{ topic, messages }]);
    },
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
      await producer?.disconnect().catch(() => undefined);
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
