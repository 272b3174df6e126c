import type { Admin } from 'kafkajs';
import { adminCluster, knownPartitions } from './admin-cluster.js';

/** Offsets per topic, then per partition. */
export type TopicOffsets = Map<string, Map<number, string>>;

/**
 * The high (`end: 'high'`, the next offset to be written) or low (`'low'`, the earliest retained)
 * watermark of every partition of `topics`, or of those `only` accepts: one ListOffsets request per
 * partition leader for all topics when the admin client's cluster is reachable (`keepAdminClusters`),
 * else kafkajs' `fetchTopicOffsets`, a metadata request and two ListOffsets per topic. A partition
 * missing from the answer (a topic not created yet) is missing from the result.
 */
export async function topicWatermarks(
  admin: Admin,
  topics: string[],
  end: 'high' | 'low',
  only?: (topic: string, partition: number) => boolean,
): Promise<TopicOffsets> {
  const out: TopicOffsets = new Map();
  const cluster = adminCluster(admin);
  if (!cluster) {
    for (const topic of topics) {
      const partitions = (await admin.fetchTopicOffsets(topic)).filter((p) => !only || only(topic, p.partition));
      if (partitions.length) out.set(topic, new Map(partitions.map((p) => [p.partition, end === 'high' ? p.high : p.low])));
    }
    return out;
  }
  const request = (await knownPartitions(cluster, topics))
    .map(({ topic, partitions }) => ({ topic, fromBeginning: end === 'low', partitions: partitions.filter((p) => !only || only(topic, p.partition)) }))
    .filter((t) => t.partitions.length > 0);
  if (request.length === 0) return out;
  let answer: Awaited<ReturnType<typeof cluster.fetchTopicsOffset>>;
  try {
    answer = await cluster.fetchTopicsOffset(request);
  } catch (e) {
    // A moved leader or a deleted topic: the next call asks the brokers that hold them now.
    await cluster.refreshMetadata().catch(() => undefined);
    throw e;
  }
  for (const { topic, partitions } of answer) out.set(topic, new Map(partitions.map((p) => [p.partition, p.offset])));
  return out;
}
