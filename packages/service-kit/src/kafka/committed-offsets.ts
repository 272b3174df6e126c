import type { Admin } from 'kafkajs';
import { adminCluster, knownPartitions, type AdminCluster } from './admin-cluster.js';
import type { TopicOffsets } from './topic-watermarks.js';

/** The coordinator of a group, once found, per admin cluster: asked again only after a failure. */
const coordinators = new WeakMap<AdminCluster, Map<string, number>>();

/**
 * The offsets group `groupId` committed on every partition of `topics` ('-1': none), in one
 * OffsetFetch request to the group's coordinator when the admin client's cluster is reachable
 * (`keepAdminClusters`); kafkajs' `fetchOffsets` also asks for the coordinator and the metadata
 * every time, two requests more per call.
 */
export async function committedOffsets(admin: Admin, groupId: string, topics: string[]): Promise<TopicOffsets> {
  const cluster = adminCluster(admin);
  const committed = cluster ? await fetchFromCoordinator(cluster, groupId, topics) : await admin.fetchOffsets({ groupId, topics });
  return new Map(committed.map((t) => [t.topic, new Map(t.partitions.map((p) => [p.partition, p.offset]))]));
}

async function fetchFromCoordinator(cluster: AdminCluster, groupId: string, topics: string[]) {
  let known = coordinators.get(cluster);
  if (!known) coordinators.set(cluster, (known = new Map()));
  try {
    const nodeId = known.get(groupId) ?? (await cluster.findGroupCoordinator({ groupId })).nodeId;
    known.set(groupId, nodeId);
    const coordinator = await cluster.findBroker({ nodeId });
    const { responses } = await coordinator.offsetFetch({ groupId, topics: await knownPartitions(cluster, topics) });
    return responses;
  } catch (e) {
    // A coordinator that moved (NOT_COORDINATOR), a broker gone, a deleted topic: found again next time.
    known.delete(groupId);
    await cluster.refreshMetadata().catch(() => undefined);
    throw e;
  }
}
