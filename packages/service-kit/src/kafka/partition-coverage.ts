import type { ICustomPartitioner, Message, RecordMetadata, TopicMessages } from 'kafkajs';

/**
 * kafkajs 2.2.4 can acknowledge a send without sending part of it. Its producer keeps one answer
 * per broker while it retries a send (src/producer/sendMessages.js, `responsePerBroker`): when a
 * partition's leader moves during the send (a broker stopped, killed or restarted) and its new
 * leader is a broker that already answered for other partitions of the same send, the retry skips
 * that broker, and the partition's messages are never written while `sendBatch` resolves. On a
 * three-broker cluster a rolling restart under load lost a few records this way each time.
 *
 * The partitioner sees every message of every attempt, and the answer lists every partition that
 * was written: this remembers where each message went so that the Publisher can send again what
 * the answer leaves out (a copy at worst: at-least-once, ids make copies recognisable).
 */
export class PartitionTracker {
  private readonly chosen = new WeakMap<Message, number>();

  /** Wraps a partitioner factory (kafkajs' default when absent) so that every choice is remembered. */
  wrap(create: ICustomPartitioner): ICustomPartitioner {
    return () => {
      const partitioner = create();
      return (args) => {
        const partition = partitioner(args);
        this.chosen.set(args.message, partition);
        return partition;
      };
    };
  }

  /** The messages of a request whose partition the broker's answer does not list, by topic. */
  unsent(request: TopicMessages[], answer: RecordMetadata[]): TopicMessages[] {
    const written = new Set(answer.map((r) => `${r.topicName}\u0000${r.partition}`));
    return request.flatMap(({ topic, messages }) => {
      const left = messages.filter((m) => {
        const p = this.chosen.get(m);
        return p !== undefined && !written.has(`${topic}\u0000${p}`);
      });
      return left.length > 0 ? [{ topic, messages: left }] : [];
    });
  }

  /** `topic[partition]` of each left-out message's partition, for an error message. */
  describe(unsent: TopicMessages[]): string {
    const names = new Set(unsent.flatMap(({ topic, messages }) => messages.map((m) => `${topic}[${this.chosen.get(m)}]`)));
    return [...names].join(', ');
  }
}

const trackers = new WeakMap<object, PartitionTracker>();

/** Ties a producer to the tracker its partitioner reports to (createKafka does it for every producer). */
export function trackPartitions(producer: object, tracker: PartitionTracker): void {
  trackers.set(producer, tracker);
}

export function partitionTrackerOf(producer: object): PartitionTracker | undefined {
  return trackers.get(producer);
}
