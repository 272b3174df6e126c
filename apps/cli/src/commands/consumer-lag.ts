import type { CliContext } from '../context.js';

export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  committed: string;
  end: string;
  lag: number;
}

/** Lag of every hookstream consumer group, per topic partition. */
export async function consumerLag(ctx: CliContext, groupPrefix = 'hookstream'): Promise<LagRow[]> {
  const { groups } = await ctx.admin.listGroups();
  const rows: LagRow[] = [];
  for (const { groupId } of groups
    .filter((g) => g.groupId.startsWith(groupPrefix) && !g.groupId.startsWith('hookstream-cli-'))
    .sort((a, b) => a.groupId.localeCompare(b.groupId))) {
    const offsets = await ctx.admin.fetchOffsets({ groupId });
    for (const t of offsets) {
      const ends = new Map((await ctx.admin.fetchTopicOffsets(t.topic)).map((p) => [p.partition, p]));
      for (const p of t.partitions) {
        const end = ends.get(p.partition);
        if (!end) continue;
        const committed = Number(p.offset);
        const lag = committed < 0 ? Number(end.high) - Number(end.low) : Number(end.high) - committed;
        rows.push({ group: groupId, topic: t.topic, partition: p.partition, committed: p.offset, end: end.high, lag: Math.max(0, lag) });
      }
    }
  }
  return rows;
}
