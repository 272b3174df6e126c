import type { Knex, PartitionLag } from '@hookstream/service-kit';
import { deliveryRatePerMinute, listWebhooksInState, loadWebhook } from '@hookstream/store';
import { NotFound } from '../domain/errors.js';
import type { Reenabled } from '../webhooks/webhook-service.js';
import { isUuid } from '../webhooks/webhook-service.js';

const MINUTE_MS = 60_000;
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** What the console needs of the rest of the gateway, so its unit tests can stand in for them. */
export interface OperationsPorts {
  db: Knex;
  /** Lag of this installation's consumer groups (service-kit's computation, the CLI's `lag`). */
  consumerLag(): Promise<PartitionLag[]>;
  /** The tenant's re-enable (`PUT /v1/webhooks/{id}/enable`): events, then recovery of what was skipped while buggy. */
  reenable(tenantId: string, webhookId: string): Promise<Reenabled>;
  now?: () => number;
}

/** The operator's views of the installation (#20): webhooks to look at, consumer lag, the delivery rate. */
export class OperationsConsole {
  constructor(private readonly ports: OperationsPorts) {}

  async webhooks(state: 'buggy' | 'disabled', limit: number) {
    const rows = await listWebhooksInState(this.ports.db, state, limit);
    return {
      data: rows.map((r) => ({
        id: r.id,
        tenant_id: r.tenant_id,
        kind: r.kind,
        endpoint: r.endpoint,
        state: r.buggy ? 'buggy' : 'disabled',
        enabled: r.enabled,
        buggy: r.buggy,
        consecutive_failures: r.consecutive_failures,
        marked_buggy_at: iso(r.marked_buggy_at),
        disabled_reason: r.disabled_reason,
        updated_at: iso(r.updated_at),
      })),
    };
  }

  /** The tenant's enable, on behalf of the operator: the webhook's owner is looked up first. */
  async enable(webhookId: string) {
    const found = isUuid(webhookId) ? await loadWebhook(this.ports.db, webhookId) : undefined;
    if (!found) throw new NotFound('webhook');
    const { row, recovered } = await this.ports.reenable(found.tenantId, webhookId);
    return { id: row.id, tenant_id: row.tenant_id, enabled: row.enabled, buggy: row.buggy, recovered_deliveries: recovered };
  }

  async consumerLag() {
    return { data: await this.ports.consumerLag() };
  }

  /** Delivered and failed attempts per minute over the last `minutes` whole minutes (the current one last), empty minutes included. */
  async deliveryRate(minutes: number) {
    const to = Math.floor((this.ports.now ?? Date.now)() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const from = to - minutes * MINUTE_MS;
    const rows = await deliveryRatePerMinute(this.ports.db, new Date(from), new Date(to));
    const byStart = new Map(rows.map((r) => [new Date(r.start).getTime(), r]));
    const buckets = [];
    for (let start = from; start < to; start += MINUTE_MS) {
      const r = byStart.get(start);
      buckets.push({ start: new Date(start).toISOString(), delivered: r?.delivered ?? 0, failed: r?.failed ?? 0 });
    }
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), buckets };
  }
}
