import type { Message, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { partitionTrackerOf, type PartitionTracker } from './partition-coverage.js';

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

/** The one call of a kafkajs producer the Publisher makes: a fake in unit tests. */
export type BatchSender = Pick<Producer, 'sendBatch'>;

export interface PublisherOptions {
  /**
   * How long a caller waits for the acknowledgement. The client keeps retrying a send while
   * the broker is away (limiting the retries of an idempotent producer could reorder or
   * duplicate); a caller instead stops waiting, and what it queued is withdrawn if it was not
   * sent yet. After a timeout the messages may still be written later: callers treat that as
   * "unknown" (at-least-once; ids make the copies recognisable downstream). Default: no bound.
   */
  sendTimeoutMs?: number;
}

/** The broker did not acknowledge within the Publisher's send timeout. */
export class PublishTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no acknowledgement from the broker within ${timeoutMs} ms`);
    this.name = 'PublishTimeoutError';
  }
}

/**
 * The one place that produces to Kafka (a lint rule keeps producer.send/sendBatch out of
 * everything else), with acks from all in-sync replicas through one idempotent producer.
 * Sends are serialised: an idempotent producer must not have two requests for one partition
 * interleaved (kafkajs numbers a request's records when it is built, and gives the numbers
 * back when it fails, so a request built between a failed attempt and its retry would take
 * them). Requests that arrive while one is in flight (other partitions' work, other callers)
 * are merged into the next send, which is cut into requests of at most {@link MAX_REQUEST_BYTES}.
 */
export class Publisher {
  private queue: Pending[] = [];
  private sending = false;
  private readonly tracker: PartitionTracker | undefined;

  constructor(
    private readonly producer: BatchSender,
    private readonly options: PublisherOptions = {},
  ) {
    this.tracker = partitionTrackerOf(producer);
  }

  /** Resolves once the broker acknowledged every message; rejects on refusal or after the send timeout. */
  publish(topicMessages: TopicMessages[]): Promise<void> {
    const nonEmpty = topicMessages.filter((t) => t.messages.length > 0);
    if (nonEmpty.length === 0) return Promise.resolve();
    const timeoutMs = this.options.sendTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const pending: Pending = {
        topicMessages: nonEmpty,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const queued = this.queue.indexOf(pending);
          if (queued >= 0) this.queue.splice(queued, 1);
          reject(new PublishTimeoutError(timeoutMs));
        }, timeoutMs);
      }
      this.queue.push(pending);
      if (!this.sending) void this.drain();
    });
  }

  /** Whether a send is in flight or queued. */
  get busy(): boolean {
    return this.sending || this.queue.length > 0;
  }

  /** Resolves once nothing is queued or in flight, or after `timeoutMs` (a shutdown lets queued sends finish first). */
  async settled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        try {
          for (const request of requests(group.flatMap((p) => p.topicMessages))) await this.sendAll(request);
          for (const p of group) p.resolve();
        } catch (e) {
          for (const p of group) p.reject(e);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** Sends a request, then again whatever kafkajs acknowledged without sending (see partition-coverage.ts). */
  private async sendAll(request: TopicMessages[]): Promise<void> {
    let pending = request;
    for (let attempt = 0; ; attempt++) {
      const answer = (await this.producer.sendBatch({ acks: -1, topicMessages: pending })) as RecordMetadata[] | undefined;
      if (!this.tracker || !Array.isArray(answer)) return;
      const unsent = this.tracker.unsent(pending, answer);
      if (unsent.length === 0) return;
      if (attempt >= RESEND_LIMIT) {
        throw new Error(`kafkajs acknowledged a send without sending to ${this.tracker.describe(unsent)} (${RESEND_LIMIT + 1} attempts)`);
      }
      pending = unsent;
    }
  }
}

/** How many times messages kafkajs acknowledged without sending are sent again before the send fails. */
const RESEND_LIMIT = 5;

/**
 * The transactional alternative (messages and consumer offsets committed atomically), which the
 * product does not use: a kafkajs transaction has its own producer state, so it cannot share the
 * Publisher's queue. Kept in this module so that every produce call lives here; the commit-mode
 * benchmark measures it against publish-then-commit.
 */
export async function publishInTransaction(transaction: BatchSender, topicMessages: TopicMessages[]): Promise<void> {
  for (const request of requests(topicMessages.filter((t) => t.messages.length > 0))) {
    await transaction.sendBatch({ acks: -1, topicMessages: request });
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
