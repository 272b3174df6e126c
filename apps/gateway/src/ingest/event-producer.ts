import type { Kafka, Message, Producer } from 'kafkajs';

interface Pending {
  topic: string;
  messages: Message[];
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * kafkajs idempotent producer (acks from all in-sync replicas, one request in flight, so
 * retries neither duplicate nor reorder). Requests arriving while a send is in flight are
 * coalesced into the next send: under load each broker round trip carries many requests,
 * and each caller's promise resolves only once the broker acknowledged its messages.
 */
export class EventProducer {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private sending = false;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly sendTimeoutMs = 10_000,
  ) {
    // The client keeps retrying a send while the broker is away (limiting the retries of an
    // idempotent producer could reorder or duplicate); a caller instead stops waiting after
    // the send timeout, and what it queued is withdrawn if it was not sent yet.
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    // Let queued sends finish first (bounded: the shutdown has its own deadline too).
    const deadline = Date.now() + this.sendTimeoutMs;
    while ((this.sending || this.queue.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.connected = false;
    await this.producer.disconnect();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Resolves when every message is acknowledged by the broker (acks = -1); rejects when the
   * broker refuses or does not answer within the send timeout. After a timeout the messages
   * may still be written later: callers treat that as "unknown" and let the client retry
   * (at-least-once; ids make the copies recognisable downstream).
   */
  send(topic: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        topic,
        messages,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        const queued = this.queue.indexOf(pending);
        if (queued >= 0) this.queue.splice(queued, 1);
        reject(new Error(`no acknowledgement from the broker within ${this.sendTimeoutMs} ms`));
      }, this.sendTimeoutMs);
      this.queue.push(pending);
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length) {
        const batch = this.queue;
        this.queue = [];
        const byTopic = new Map<string, Message[]>();
        for (const p of batch) {
          const list = byTopic.get(p.topic) ?? [];
          list.push(...p.messages);
          byTopic.set(p.topic, list);
        }
        try {
          await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          for (const p of batch) p.resolve();
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
