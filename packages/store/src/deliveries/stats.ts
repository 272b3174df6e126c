import type { Knex } from '@hookstream/service-kit';

/** One hour of a webhook's attempts: how many, how many succeeded, and their latency. */
export interface AttemptHourRow {
  start: Date;
  attempts: number;
  succeeded: number;
  failed: number;
  /** Median and 95th percentile of the attempts' durations in ms; null for an hour without attempts. */
  p50_ms: number | null;
  p95_ms: number | null;
}

/**
 * A webhook's attempts in [from, to) per hour, oldest first, in one statement through
 * `delivery_attempts_webhook_time_idx`. Hours without attempts are left out (the caller fills
 * them); skips recorded when a buggy webhook's deliveries were recovered (attempt 0, never sent)
 * are not attempts.
 */
export async function webhookAttemptsPerHour(db: Knex, tenantId: string, webhookId: string, from: Date, to: Date): Promise<AttemptHourRow[]> {
  const { rows } = await db.raw<{ rows: AttemptHourRow[] }>(
    `SELECT date_trunc('hour', started_at) AS start,
            count(*)::int AS attempts,
            (count(*) FILTER (WHERE outcome = 'delivered'))::int AS succeeded,
            (count(*) FILTER (WHERE outcome <> 'delivered'))::int AS failed,
            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms))::int AS p50_ms,
            round(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms))::int AS p95_ms
       FROM delivery_attempts
      WHERE webhook_id = ? AND tenant_id = ? AND started_at >= ? AND started_at < ? AND attempt > 0
      GROUP BY 1
      ORDER BY 1`,
    [webhookId, tenantId, from, to],
  );
  return rows;
}
