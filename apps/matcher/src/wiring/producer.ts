import type { ServiceContext } from '@hookstream/service-kit';
import type { Producer } from 'kafkajs';
import type { MatcherConfig } from '../app.js';

/** The matcher's one idempotent producer, disconnected at shutdown after the consumer that sends through it. */
export async function connectProducer({ kafka, onShutdown }: ServiceContext<MatcherConfig>): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  onShutdown('producer', () => producer.disconnect());
  return producer;
}
