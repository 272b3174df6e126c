import type { PartitionerArgs, RecordMetadata, TopicMessages } from 'kafkajs';
import { PartitionTracker, trackPartitions } from '../src/kafka/partition-coverage.js';
import { Publisher, type BatchSender } from '../src/kafka/publisher.js';

/** A partitioner as kafkajs calls it: partition = the key's last digit modulo the partition count. */
const byLastDigit = () => (a: PartitionerArgs) => Number(String(a.message.key).slice(-1)) % a.partitionMetadata.length;
const metadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: partitionId, replicas: [], isr: [], partitionErrorCode: 0 }));
const ack = (topicName: string, partition: number): RecordMetadata => ({ topicName, partition, errorCode: 0 });

/**
 * kafkajs 2.2.4 (src/producer/sendMessages.js) as it behaves when a partition's leader moves
 * during a send: every message goes through the partitioner, and the answer lists only the
 * partitions `answered` says (the ones whose request was retried to a broker that had already
 * answered for other partitions are silently left out).
 */
function kafkajsLike(tracker: PartitionTracker, answered: (call: number, partitions: number[]) => number[]) {
  const partitioner = tracker.wrap(byLastDigit)();
  const sent: TopicMessages[][] = [];
  const producer: BatchSender = {
    sendBatch: async ({ topicMessages = [] }) => {
      sent.push(topicMessages);
      const chosen = new Map<string, Set<number>>();
      for (const t of topicMessages) {
        for (const message of t.messages) {
          const p = partitioner({ topic: t.topic, partitionMetadata: metadata, message });
          chosen.set(t.topic, (chosen.get(t.topic) ?? new Set()).add(p));
        }
      }
      return [...chosen].flatMap(([topic, ps]) => answered(sent.length, [...ps].sort()).map((p) => ack(topic, p)));
    },
  };
  trackPartitions(producer, tracker);
  return { producer, sent };
}

const messages = (keys: string[]) => keys.map((key) => ({ key, value: key }));

describe('produce coverage: messages kafkajs acknowledged without sending them are sent again (issue 21)', () => {
  it('names the messages whose partition the answer does not list', () => {
    const tracker = new PartitionTracker();
    const partitioner = tracker.wrap(byLastDigit)();
    const request = [{ topic: 'events', messages: messages(['a0', 'b1', 'c2', 'd1']) }];
    for (const m of request[0]!.messages) partitioner({ topic: 'events', partitionMetadata: metadata, message: m });
    const unsent = tracker.unsent(request, [ack('events', 0), ack('events', 2)]);
    expect(unsent).toEqual([{ topic: 'events', messages: messages(['b1', 'd1']) }]);
    expect(tracker.unsent(request, [ack('events', 0), ack('events', 1), ack('events', 2)])).toEqual([]);
  });

  it('the Publisher sends the left-out messages again and resolves only once every partition was acknowledged', async () => {
    const tracker = new PartitionTracker();
    // First call: partition 1's leader moved to the broker that answered for 0 and 2, and kafkajs never sent it.
    const { producer, sent } = kafkajsLike(tracker, (call, ps) => (call === 1 ? ps.filter((p) => p !== 1) : ps));
    await new Publisher(producer).publish([{ topic: 'events', messages: messages(['a0', 'b1', 'c2', 'd1']) }]);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual([{ topic: 'events', messages: messages(['b1', 'd1']) }]);
  });

  it('gives up with an error naming the partitions after repeated left-out sends, so callers never take them for written', async () => {
    const tracker = new PartitionTracker();
    const { producer } = kafkajsLike(tracker, (_call, ps) => ps.filter((p) => p !== 2));
    await expect(new Publisher(producer).publish([{ topic: 'events', messages: messages(['a0', 'c2']) }])).rejects.toThrow(
      'kafkajs acknowledged a send without sending to events[2]',
    );
  });

  it('a producer without a tracker (a fake, or a client made elsewhere) is sent to as before', async () => {
    const sent: unknown[] = [];
    const producer: BatchSender = { sendBatch: async (b) => (sent.push(b), []) };
    await new Publisher(producer).publish([{ topic: 't', messages: messages(['x1']) }]);
    expect(sent).toHaveLength(1);
  });
});
