import type { Message, Producer, TopicMessages } from 'kafkajs';

/**
 * Upper bound of one produce request. kafkajs writes all messages of a partition into one
 * record batch, and the broker refuses a batch above `max.message.bytes` (1 MiB by default):
 * a large fan-out must go out in several requests, or it would be refused forever.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

interface Pending {
  topicMessages: TopicMessages[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Sends to Kafka with acks from all in-sync replicas through one idempotent producer.
 * kafkajs's idempotent producer must not have two produce requests in flight at once (the
 * broker would see sequence numbers out of order), so sends are serialised; requests that
 * arrive while one is in flight (other partitions' work, other callers) are merged into the next send,
 * which is cut into requests of at most {@link MAX_REQUEST_BYTES}.
 */
export class Publisher {
  private queue: Pending[] = [];
  private sending = false;

  constructor(private readonly producer: Producer) {}

  /** Resolves once the broker acknowledged every message. */
  publish(topicMessages: TopicMessages[]): Promise<void> {
    const nonEmpty = topicMessages.filter((t) => t.messages.length > 0);
    if (nonEmpty.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topicMessages: nonEmpty, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        try {
          for (const request of requests(group.flatMap((p) => p.topicMessages))) {
            await this.producer.sendBatch({ acks: -1, topicMessages: request });
          }
          for (const p of group) p.resolve();
        } catch (e) {
          for (const p of group) p.reject(e);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}

function sizeOf(m: Message): number {
  let n = 64;
  for (const part of [m.key, m.value]) if (part) n += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
  for (const [k, v] of Object.entries(m.headers ?? {}))
    n += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : ((v as Buffer | undefined)?.length ?? 0));
  return n;
}

/** Groups messages by topic into produce requests of at most MAX_REQUEST_BYTES (a larger single message goes alone). */
export function requests(topicMessages: readonly TopicMessages[], maxBytes = MAX_REQUEST_BYTES): TopicMessages[][] {
  const out: TopicMessages[][] = [];
  let current = new Map<string, Message[]>();
  let bytes = 0;
  const flush = () => {
    if (current.size > 0) out.push([...current].map(([topic, messages]) => ({ topic, messages })));
    current = new Map();
    bytes = 0;
  };
  for (const t of topicMessages) {
    for (const m of t.messages) {
      const size = sizeOf(m);
      if (bytes > 0 && bytes + size > maxBytes) flush();
      let list = current.get(t.topic);
      if (!list) current.set(t.topic, (list = []));
      list.push(m);
      bytes += size;
    }
  }
  flush();
  return out;
}
