import { createRequire } from 'node:module';
import type { Admin, Kafka } from 'kafkajs';

/**
 * The part of kafkajs' cluster (src/cluster) read through an admin client: the topics' partition
 * metadata and one ListOffsets request per leader for any number of topics. kafkajs' admin API
 * asks for one topic at a time (`fetchTopicOffsets`: two ListOffsets requests per topic), which
 * made the worker's lag watch send 16 requests every 5 s for its 8 topics.
 */
export interface AdminCluster {
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  /** The group's coordinator, found with a FindCoordinator request. */
  findGroupCoordinator(request: { groupId: string }): Promise<AdminClusterBroker>;
  /** A broker of the pool by id, connected if it was not: no request when it is. */
  findBroker(request: { nodeId: number }): Promise<AdminClusterBroker>;
}

/** The request of kafkajs' broker connection sent here. */
export interface AdminClusterBroker {
  nodeId: number;
  offsetFetch(request: {
    groupId: string;
    topics: { topic: string; partitions: { partition: number }[] }[];
  }): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string }[] }[] }>;
}

/** The kafkajs release whose private cluster factory this reaches. */
const KAFKAJS_VERSION = '2.2.4';
const CREATE_CLUSTER = 'private:Kafka:createCluster';

const clusters = new WeakMap<Admin, AdminCluster>();

/**
 * From now on, every admin client `kafka` makes keeps a handle on its cluster for `adminCluster`.
 * kafkajs creates the cluster inside `admin()` and keeps it private, so the factory it calls is
 * wrapped for the duration of that call. Not a public kafkajs API: only the release it was
 * written against is changed, and without it `adminCluster` answers undefined.
 */
export function keepAdminClusters(kafka: Kafka): boolean {
  const { version } = createRequire(import.meta.url)('kafkajs/package.json') as { version: string };
  const owner = kafka as unknown as Record<symbol, ((config: object) => AdminCluster) | undefined>;
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const create = key && owner[key];
  if (version !== KAFKAJS_VERSION || !key || typeof create !== 'function') return false;
  const admin = kafka.admin.bind(kafka);
  kafka.admin = (config) => {
    let created: AdminCluster | undefined;
    owner[key] = (clusterConfig: object) => (created = create.call(kafka, clusterConfig));
    try {
      const client = admin(config);
      if (created) clusters.set(client, created);
      return client;
    } finally {
      owner[key] = create;
    }
  };
  return true;
}

/** kafkajs' metadata age for its producers and consumers: partitions added meanwhile are seen after it. */
const METADATA_MAX_AGE_MS = 300_000;
const refreshedAt = new WeakMap<AdminCluster, number>();

/**
 * The partitions of `topics` as the cluster's metadata has them. The admin's cluster has no
 * metadata age (kafkajs' admin refreshes its metadata before every call): here the metadata is
 * requested when a topic is new to the cluster, when one is missing from its metadata (not created
 * yet, or left out by a refresh that began before the topic was added) and every
 * `METADATA_MAX_AGE_MS`; callers refresh it after a failed request too (a moved leader).
 */
export async function knownPartitions(cluster: AdminCluster, topics: string[]): Promise<{ topic: string; partitions: { partition: number }[] }[]> {
  await cluster.addMultipleTargetTopics(topics);
  const now = Date.now();
  if (now - (refreshedAt.get(cluster) ?? 0) > METADATA_MAX_AGE_MS || topics.some((topic) => cluster.findTopicPartitionMetadata(topic).length === 0)) {
    refreshedAt.set(cluster, now);
    await cluster.refreshMetadata();
  }
  return topics.map((topic) => ({ topic, partitions: cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })) }));
}

/** The cluster behind an admin client made by a `keepAdminClusters` client (undefined: any other). */
export function adminCluster(admin: Admin): AdminCluster | undefined {
  return clusters.get(admin);
}
