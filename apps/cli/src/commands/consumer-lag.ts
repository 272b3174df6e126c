import { consumerLag as lagOfGroups } from '@hookstream/service-kit';
import type { CliContext } from '../context.js';

export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  committed: string;
  end: string;
  lag: number;
}

/** Lag of every hookstream consumer group, per topic partition (computed in service-kit, shared with the console). */
export async function consumerLag(ctx: CliContext, groupPrefix = 'hookstream'): Promise<LagRow[]> {
  return (await lagOfGroups(ctx.admin, groupPrefix)).map((r) => ({
    group: r.group,
    topic: r.topic,
    partition: r.partition,
    committed: r.offset,
    end: r.high_watermark,
    lag: r.lag,
  }));
}
