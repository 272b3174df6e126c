import type { DeliveryRow, DeliveryStatus } from './rows.js';

/**
 * How far along a delivery is within one attempt count: waiting, then waiting for a retry,
 * then finished (every final status ranks the same, so a late duplicate cannot swap one
 * final outcome for another). The one definition: the worker's buffer compares rows with
 * it and the upsert's SQL guard is generated from it.
 */
export const STATUS_RANK: Readonly<Record<DeliveryStatus, number>> = { pending: 0, retrying: 1, delivered: 2, discarded: 2, skipped: 2 };

const FINAL_RANK = Math.max(...Object.values(STATUS_RANK));

/**
 * Whether `a` is at least as recent a state as `b`: a later cycle, else more attempts, else a
 * status of higher rank. The upsert of `deliveries` applies the same ordering in SQL, so a
 * duplicate job processed late never moves a delivery back.
 */
export function isNewerOrSame(a: Pick<DeliveryRow, 'cycle' | 'attempts' | 'status'>, b: Pick<DeliveryRow, 'cycle' | 'attempts' | 'status'>): boolean {
  if (a.cycle !== b.cycle) return a.cycle > b.cycle;
  if (a.attempts !== b.attempts) return a.attempts > b.attempts;
  return STATUS_RANK[a.status] >= STATUS_RANK[b.status];
}

/**
 * STATUS_RANK as a SQL expression over a status column. A value outside the type (a status a
 * newer version wrote) ranks as final, so an older writer never overwrites it with progress.
 */
export function statusRankSql(column: string): string {
  if (!/^[a-z_]+(\.[a-z_]+)?$/i.test(column)) throw new Error(`not a column reference: ${column}`);
  const arms = Object.entries(STATUS_RANK)
    .filter(([, rank]) => rank !== FINAL_RANK)
    .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`);
  return `(CASE ${column} ${arms.join(' ')} ELSE ${FINAL_RANK} END)`;
}
