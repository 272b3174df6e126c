import type { Knex } from '@hookstream/service-kit';

/** One minute of the installation's attempts. */
export interface DeliveryRateRow {
  start: Date;
  delivered: number;
  failed: number;
}

/**
 * Every webhook's attempts in [from, to) per minute, oldest first (one statement through the
 * `delivery_attempts (started_at)` index): delivered, and failed (any other outcome). Minutes
 * without attempts are left out; skips recorded on recovery (attempt 0, never sent) are not counted.
 */
export async function deliveryRatePerMinute(db: Knex, from: Date, to: Date): Promise<DeliveryRateRow[]> {
  const { rows } = await db.raw<{ rows: DeliveryRateRow[] }>(
    `SELECT date_trunc('minute', started_at) AS start,
            (count(*) FILTER (WHERE outcome = 'delivered'))::int AS delivered,
            (count(*) FILTER (WHERE outcome <> 'delivered'))::int AS failed
       FROM delivery_attempts
      WHERE started_at >= ? AND started_at < ? AND attempt > 0
      GROUP BY 1
      ORDER BY 1`,
    [from, to],
  );
  return rows;
}
