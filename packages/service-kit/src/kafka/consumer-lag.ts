import type { Admin } from 'kafkajs';

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** The group's committed offset (-1: nothing committed yet). */
  offset: string;
  high_watermark: string;
  /** Records not yet consumed: the high watermark minus the committed offset (from the low watermark when nothing is committed). */
  lag: number;
}

/**
 * Lag of every consumer group whose id starts with `groupPrefix`, per topic partition, groups
 * in name order. The CLI's throwaway readers (`hookstream-cli-*`) are left out. The CLI's `lag`
 * and the console's `GET /v1/admin/consumer-lag` both answer from it.
 */
export async function consumerLag(admin: Admin, groupPrefix: string): Promise<PartitionLag[]> {
  const { groups } = await admin.listGroups();
  const rows: PartitionLag[] = [];
  const ids = groups
    .map((g) => g.groupId)
    .filter((id) => id.startsWith(groupPrefix) && !id.startsWith('hookstream-cli-'))
    .sort((a, b) => a.localeCompare(b));
  // One watermark read per topic, however many groups read it.
  const watermarks = new Map<string, Promise<Map<number, { high: string; low: string }>>>();
  const endsOf = (topic: string) => {
    let ends = watermarks.get(topic);
    if (!ends) {
      ends = admin.fetchTopicOffsets(topic).then((ps) => new Map(ps.map((p) => [p.partition, { high: p.high, low: p.low }])));
      watermarks.set(topic, ends);
    }
    return ends;
  };
  for (const groupId of ids) {
    for (const t of await admin.fetchOffsets({ groupId })) {
      const ends = await endsOf(t.topic);
      for (const p of t.partitions) {
        const end = ends.get(p.partition);
        if (!end) continue;
        const committed = Number(p.offset);
        const lag = committed < 0 ? Number(end.high) - Number(end.low) : Number(end.high) - committed;
        rows.push({ group: groupId, topic: t.topic, partition: p.partition, offset: p.offset, high_watermark: end.high, lag: Math.max(0, lag) });
      }
    }
  }
  return rows;
}
