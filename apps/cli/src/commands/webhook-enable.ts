import { encodeDeliveryJobRecord, encodeEventRecord, webhookLifecycleEvent, type WebhookLifecycleVerb } from '@hookstream/schemas';
import { loadWebhook, lockTenantWebhook, recoverSkippedDeliveries, reenableWebhook } from '@hookstream/store';
import type { CliContext } from '../context.js';

export interface EnableOutcome {
  webhook_id: string;
  /** False when it was already enabled and not buggy: nothing changed. */
  changed: boolean;
  was_buggy: boolean;
  recovered_deliveries: number;
}

/**
 * What `PUT /v1/webhooks/{id}/enable` does, for an operator (#17.4): clears the disabled and
 * buggy state, tells the tenant (`jive:webhook_enabled` / `jive:webhook_marked_not_buggy`,
 * published before the commit as the gateway does), then, unless `recover` is false, queues
 * again in publication order the deliveries skipped while it was buggy.
 */
export async function enableWebhook(ctx: CliContext, webhookId: string, recover: boolean): Promise<EnableOutcome | undefined> {
  const found = await loadWebhook(ctx.db, webhookId);
  if (!found) return undefined;
  const publisher = await ctx.publisher();
  const result = await ctx.db.transaction(async (trx) => {
    const before = await lockTenantWebhook(trx, found.tenantId, webhookId);
    if (!before) return undefined;
    if (before.enabled && !before.buggy) return { before, row: before };
    const row = (await reenableWebhook(trx, webhookId))!;
    const verbs: WebhookLifecycleVerb[] = [];
    if (!before.enabled) verbs.push('jive:webhook_enabled');
    if (before.buggy) verbs.push('jive:webhook_marked_not_buggy');
    const events = verbs.map((verb) =>
      webhookLifecycleEvent({ verb, tenantId: before.tenant_id, webhookId, publicUrl: ctx.config.HOOKSTREAM_PUBLIC_URL, by: 'cli' }),
    );
    await publisher.publish([{ topic: ctx.topics.events, messages: events.map((e) => encodeEventRecord(e)) }]);
    return { before, row };
  });
  if (!result) return undefined;
  const { before, row } = result;
  const outcome = { webhook_id: webhookId, changed: row !== before, was_buggy: before.buggy, recovered_deliveries: 0 };
  if (!before.buggy || !recover) return outcome;
  outcome.recovered_deliveries = await recoverSkippedDeliveries(
    ctx.db,
    {
      tenantId: before.tenant_id,
      webhookId,
      since: before.marked_buggy_at ? new Date(before.marked_buggy_at) : new Date(0),
      webhookRevision: Number(row.revision),
    },
    (jobs) => publisher.publish([{ topic: ctx.topics.deliveries, messages: jobs.map((j) => encodeDeliveryJobRecord(j, { replay: 'recovery' })) }]),
  );
  return outcome;
}
