import type { ServiceContext } from '@hookstream/service-kit';
import type { Producer } from 'kafkajs';
import type { WorkerConfig } from '../worker.js';

/** The worker's one producer, disconnected at shutdown after everything that sends through it. */
export async function connectProducer({ kafka, onShutdown }: ServiceContext<WorkerConfig>): Promise<Producer> {
  // Idempotent, as in the gateway and the matcher: a retried produce request never writes a retry job or a dead letter twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  onShutdown('producer', () => producer.disconnect());
  return producer;
}
