import kafkajs, { type ITopicConfig } from 'kafkajs';
import { creationReplication, ensureTopics, loadConfig, replicationFor, topicSpecs, type TopicAdmin } from '../src/index.js';

// kafkajs is CommonJS: its error classes come through the default export under ESM.
const { KafkaJSAggregateError, KafkaJSProtocolError } = kafkajs;

interface FakeCluster {
  /** Brokers registered with the controller, given how many creations it refused so far (a node that starts late joins later). */
  registered: (refusals: number) => number;
  /** The brokers' `default.replication.factor` (what createTopics' -1 stands for). */
  defaultReplication: number;
  /** Topics that exist before ensureTopics runs, with their replica count. */
  existing?: Array<{ topic: string; replicas: number }>;
}

/**
 * The admin calls ensureTopics makes, answered as a KRaft controller does: a factor of -1 means the
 * brokers' default, and a factor above the registered brokers is refused (INVALID_REPLICATION_FACTOR)
 * instead of being placed on fewer brokers.
 */
function clusterOf({ registered, defaultReplication, existing = [] }: FakeCluster) {
  const created: ITopicConfig[] = [];
  const topics = new Map(existing.map((t) => [t.topic, t.replicas]));
  let refusals = 0;
  const refusal = (topic: string) =>
    Object.assign(new KafkaJSProtocolError('Replication-factor is invalid'), { type: 'INVALID_REPLICATION_FACTOR', code: 38, topic });
  const admin: TopicAdmin = {
    listTopics: async () => [...topics.keys()],
    describeCluster: async () => ({
      brokers: Array.from({ length: registered(refusals) }, (_, i) => ({ nodeId: i + 1, host: '127.0.0.1', port: 9092 + i })),
      controller: 1,
      clusterId: 'c',
    }),
    createTopics: async ({ topics: asked }) => {
      const refused = asked.filter((t) => ((t.replicationFactor ?? -1) === -1 ? defaultReplication : t.replicationFactor!) > registered(refusals));
      if (refused.length > 0) {
        refusals++;
        throw new KafkaJSAggregateError(
          'Topic creation errors',
          refused.map((t) => refusal(t.topic)),
        );
      }
      for (const t of asked) {
        created.push(t);
        topics.set(t.topic, (t.replicationFactor ?? -1) === -1 ? defaultReplication : t.replicationFactor!);
      }
      return true;
    },
    fetchTopicMetadata: async (q) => ({
      topics: (q?.topics ?? [...topics.keys()]).map((name) => ({
        name,
        partitions: [0, 1].map((partitionId) => {
          const replicas = Array.from({ length: topics.get(name) ?? 0 }, (_, i) => i + 1);
          return { partitionErrorCode: 0, partitionId, leader: 1, replicas, isr: replicas, offlineReplicas: [] };
        }),
      })),
    }),
    createPartitions: async () => true,
  };
  return { admin, created, replicasOf: (topic: string) => topics.get(topic), refusals: () => refusals };
}

const minIsrOf = (t: ITopicConfig) => t.configEntries?.find((e) => e.name === 'min.insync.replicas')?.value;
const noPause = { pause: async () => undefined };

describe('partition counts', () => {
  it('grows an existing topic with fewer partitions than configured and answers what it grew (for the warning); one with as many is left alone', async () => {
    const { admin } = clusterOf({
      registered: () => 1,
      defaultReplication: 1,
      existing: [
        { topic: 'p.events', replicas: 1 },
        { topic: 'p.deliveries', replicas: 1 },
      ],
    });
    const asked: Array<{ topic: string; count: number }> = [];
    admin.createPartitions = async ({ topicPartitions }) => (asked.push(...topicPartitions), true);
    // The fake cluster's topics have two partitions each.
    const grown = await ensureTopics(
      admin,
      [
        { topic: 'p.events', numPartitions: 6 },
        { topic: 'p.deliveries', numPartitions: 2 },
      ],
      noPause,
    );
    expect(grown).toEqual([{ topic: 'p.events', from: 2, to: 6 }]);
    expect(asked).toEqual([{ topic: 'p.events', count: 6 }]);
    expect(await ensureTopics(admin, [{ topic: 'p.deliveries', numPartitions: 2 }], noPause)).toEqual([]);
  });
});

describe('replication follows the cluster (issue 21)', () => {
  it.each([
    [1, 1, undefined],
    [2, 2, undefined],
    [3, 3, 2],
    [5, 3, 2],
  ])('a cluster of %i broker(s) should give each topic %i replicas, min.insync.replicas %s', (brokers, rf, minIsr) => {
    expect(replicationFor(brokers)).toEqual({ replicationFactor: rf, minInsyncReplicas: minIsr });
  });

  it('a configured TOPIC_REPLICATION_FACTOR wins; min.insync.replicas 2 comes with a factor of 3 or more, whoever chose it', () => {
    expect(replicationFor(3, 2)).toEqual({ replicationFactor: 2, minInsyncReplicas: undefined });
    expect(replicationFor(4, 4)).toEqual({ replicationFactor: 4, minInsyncReplicas: 2 });
  });

  it('refuses a configured factor the cluster cannot hold, naming the variable and the broker count', () => {
    expect(() => replicationFor(1, 3)).toThrow('TOPIC_REPLICATION_FACTOR is 3 but the Kafka cluster has 1 broker');
  });

  it('creates with the brokers’ defaults (-1, no min.insync.replicas) unless the factor is configured', () => {
    expect(creationReplication()).toEqual({ replicationFactor: -1, minInsyncReplicas: undefined });
    expect(creationReplication(2)).toEqual({ replicationFactor: 2, minInsyncReplicas: undefined });
    expect(creationReplication(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it('the topic catalogue leaves the factor to the cluster unless TOPIC_REPLICATION_FACTOR is set', () => {
    expect(topicSpecs(loadConfig({}, {})).every((s) => s.replicationFactor === undefined)).toBe(true);
    expect(topicSpecs(loadConfig({}, { TOPIC_REPLICATION_FACTOR: '2' })).every((s) => s.replicationFactor === 2)).toBe(true);
  });

  it('ensureTopics asks every topic of the catalogue for the brokers’ default factor and min.insync.replicas, keeping each topic retention', async () => {
    const cluster = clusterOf({ registered: () => 3, defaultReplication: 3 });
    await ensureTopics(cluster.admin, topicSpecs(loadConfig({}, {})));
    expect(cluster.created.length).toBeGreaterThan(5);
    for (const t of cluster.created) {
      expect(t.replicationFactor).toBe(-1);
      expect(minIsrOf(t)).toBeUndefined();
      expect(t.configEntries?.some((e) => e.name === 'retention.ms')).toBe(true);
      expect(cluster.replicasOf(t.topic)).toBe(3);
    }
  });

  it('the race: a node registering after the first createTopics makes ensureTopics wait for it, never create fewer replicas', async () => {
    // Two of three nodes registered until two creations were refused, as on a cluster whose
    // third node is still starting: describeCluster sees two brokers meanwhile.
    const cluster = clusterOf({ registered: (refusals) => (refusals < 2 ? 2 : 3), defaultReplication: 3 });
    await ensureTopics(cluster.admin, [{ topic: 'deliveries.retry.10m', numPartitions: 2 }], noPause);
    expect(cluster.refusals()).toBeGreaterThan(0);
    expect(cluster.replicasOf('deliveries.retry.10m')).toBe(3);
  });

  it('a cluster that never gets enough brokers fails the start loudly once the wait is over, naming the topic', async () => {
    const cluster = clusterOf({ registered: () => 2, defaultReplication: 3 });
    await expect(ensureTopics(cluster.admin, [{ topic: 'events', numPartitions: 2 }], { ...noPause, brokerWaitMs: 0 })).rejects.toThrow(
      /cannot create topic events: the cluster refused its replication factor \(the brokers' default\.replication\.factor\).*2 brokers/,
    );
    expect(cluster.replicasOf('events')).toBeUndefined();
  });

  it('a broker default below what the cluster should give fails the start, naming topic, wanted and actual', async () => {
    const cluster = clusterOf({ registered: () => 3, defaultReplication: 1 });
    await expect(ensureTopics(cluster.admin, [{ topic: 'events', numPartitions: 2 }], noPause)).rejects.toThrow(
      'topic events has 1 replica but a cluster of 3 brokers should give it 3',
    );
  });

  it('an existing topic with fewer replicas than the cluster should give fails the start too; a configured factor is what is wanted then', async () => {
    const existing = [{ topic: 'deliveries.retry.10m', replicas: 2 }];
    await expect(
      ensureTopics(clusterOf({ registered: () => 3, defaultReplication: 3, existing }).admin, [{ topic: 'deliveries.retry.10m', numPartitions: 2 }], noPause),
    ).rejects.toThrow('topic deliveries.retry.10m has 2 replicas but a cluster of 3 brokers should give it 3');
    await expect(
      ensureTopics(
        clusterOf({ registered: () => 3, defaultReplication: 3, existing }).admin,
        [{ topic: 'deliveries.retry.10m', numPartitions: 2, replicationFactor: 2 }],
        noPause,
      ),
    ).resolves.toEqual([]);
  });

  it('a node down when an app restarts (topics already replicated) does not stop the start', async () => {
    const cluster = clusterOf({ registered: () => 2, defaultReplication: 3, existing: [{ topic: 'events', replicas: 3 }] });
    await expect(ensureTopics(cluster.admin, [{ topic: 'events', numPartitions: 2 }], noPause)).resolves.toEqual([]);
  });

  it('ensureTopics on one broker creates with its default and leaves min.insync.replicas to it', async () => {
    const cluster = clusterOf({ registered: () => 1, defaultReplication: 1 });
    await ensureTopics(cluster.admin, [{ topic: 'a', numPartitions: 2 }]);
    expect(cluster.created).toEqual([expect.objectContaining({ topic: 'a', numPartitions: 2, replicationFactor: -1 })]);
    expect(minIsrOf(cluster.created[0]!)).toBeUndefined();
    expect(cluster.replicasOf('a')).toBe(1);
  });

  it('a configured factor of 3 is asked as such, with min.insync.replicas 2', async () => {
    const cluster = clusterOf({ registered: () => 3, defaultReplication: 1 });
    await ensureTopics(cluster.admin, [{ topic: 'a', numPartitions: 1, replicationFactor: 3 }]);
    expect(cluster.created[0]).toEqual(expect.objectContaining({ replicationFactor: 3 }));
    expect(minIsrOf(cluster.created[0]!)).toBe('2');
  });

  it('a configured factor larger than the cluster is waited for like the default, then fails naming TOPIC_REPLICATION_FACTOR', async () => {
    const cluster = clusterOf({ registered: () => 2, defaultReplication: 2 });
    await expect(ensureTopics(cluster.admin, [{ topic: 'a', numPartitions: 1, replicationFactor: 3 }], { ...noPause, brokerWaitMs: 0 })).rejects.toThrow(
      /cannot create topic a: the cluster refused its replication factor \(TOPIC_REPLICATION_FACTOR=3\).*2 brokers/,
    );
    expect(cluster.created).toEqual([]);
    expect(cluster.refusals()).toBe(1);
  });
});
