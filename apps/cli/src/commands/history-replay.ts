import type { DeliveryJob } from '@hookstream/schemas';
import { deliveriesForReplay, replayJobsOf } from '@hookstream/store';
import type { CliContext } from '../context.js';

/** Jobs re-creating a webhook's recorded deliveries since a time (optionally of some statuses). */
export async function deliveriesToReplay(ctx: CliContext, webhookId: string, since: Date, statuses?: string[]): Promise<DeliveryJob[]> {
  return replayJobsOf(await deliveriesForReplay(ctx.db, webhookId, since, statuses));
}
