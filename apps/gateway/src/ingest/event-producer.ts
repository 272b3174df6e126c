import { Publisher } from '@hookstream/service-kit';
import type { Kafka, Message, Producer } from 'kafkajs';

/**
 * The gateway's connection to Kafka: one kafkajs idempotent producer (acks from all in-sync
 * replicas, one request in flight, so retries neither duplicate nor reorder) behind the
 * shared {@link Publisher}, whose send timeout bounds how long an HTTP request waits for the
 * broker. Requests arriving while a send is in flight are coalesced into the next send.
 */
export class EventProducer {
  private readonly producer: Producer;
  private readonly publisher: Publisher;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly sendTimeoutMs = 10_000,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.publisher = new Publisher(this.producer, { sendTimeoutMs });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    // Let queued sends finish first (bounded: the shutdown has its own deadline too).
    await this.publisher.settled(this.sendTimeoutMs);
    this.connected = false;
    await this.producer.disconnect();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Resolves when every message is acknowledged by the broker (acks = -1); rejects when the
   * broker refuses or does not answer within the send timeout (then the messages may still be
   * written later: callers treat that as "unknown" and let the client retry).
   */
  publish(topic: string, messages: Message[]): Promise<void> {
    return this.publisher.publish([{ topic, messages }]);
  }
}
