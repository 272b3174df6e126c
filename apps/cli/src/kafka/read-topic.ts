import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { randomBytes } from 'node:crypto';

export interface TopicRecord {
  partition: number;
  offset: string;
  message: KafkaMessage;
}

/**
 * Every message of a topic up to its end as of the call, read with a throwaway
 * consumer group that commits nothing (the operator only looks).
 */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string, timeoutMs = 30_000): Promise<TopicRecord[]> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
  const pending = new Set([...ends].filter(([, o]) => o.high > o.low).map(([p]) => p));
  const out: TopicRecord[] = [];
  if (pending.size === 0) return out;
  const consumer = kafka.consumer({ groupId: `hookstream-cli-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition)!.high;
            if (BigInt(message.offset) < end) out.push({ partition, offset: message.offset, message });
            if (BigInt(message.offset) + 1n >= end) {
              pending.delete(partition);
              if (pending.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
