import type { Knex } from '@hookstream/service-kit';
import { webhookAttemptsPerHour, webhookHasHistory, type AttemptHourRow } from '@hookstream/store';
import { NotFound } from '../domain/errors.js';
import { isUuid } from '../webhooks/webhook-service.js';

const HOUR_MS = 3_600_000;

export interface WebhookStats {
  from: string;
  to: string;
  /** Succeeded attempts over all attempts of the window; null when there were none. */
  success_rate: number | null;
  attempts: number;
  buckets: { start: string; attempts: number; succeeded: number; failed: number; p50_ms: number | null; p95_ms: number | null }[];
}

/** What the portal charts per endpoint: success rate and latency per hour (#20). */
export class DeliveryStats {
  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The last `hours` whole hours up to the current one (so the current hour is the last bucket),
   * one bucket per hour, empty hours included. The history outlives a deleted webhook.
   */
  async forWebhook(tenantId: string, webhookId: string, hours: number): Promise<WebhookStats> {
    if (!isUuid(webhookId) || !(await webhookHasHistory(this.db, tenantId, webhookId))) throw new NotFound('webhook');
    const to = Math.floor(this.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
    const from = to - hours * HOUR_MS;
    const rows = await webhookAttemptsPerHour(this.db, tenantId, webhookId, new Date(from), new Date(to));
    return statsOf(rows, from, to);
  }
}

/** Fills the hours without attempts and sums the window. */
export function statsOf(rows: readonly AttemptHourRow[], from: number, to: number): WebhookStats {
  const byStart = new Map(rows.map((r) => [new Date(r.start).getTime(), r]));
  const buckets: WebhookStats['buckets'] = [];
  let attempts = 0;
  let succeeded = 0;
  for (let start = from; start < to; start += HOUR_MS) {
    const r = byStart.get(start);
    attempts += r?.attempts ?? 0;
    succeeded += r?.succeeded ?? 0;
    buckets.push({
      start: new Date(start).toISOString(),
      attempts: r?.attempts ?? 0,
      succeeded: r?.succeeded ?? 0,
      failed: r?.failed ?? 0,
      p50_ms: r?.p50_ms ?? null,
      p95_ms: r?.p95_ms ?? null,
    });
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    success_rate: attempts ? succeeded / attempts : null,
    attempts,
    buckets,
  };
}
