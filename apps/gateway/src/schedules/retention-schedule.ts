import type { Logger } from '@hookstream/service-kit';
import type { RetentionResult } from '@hookstream/store';
import { messageOf, repeat, type IntervalTimers, type Schedule } from './repeat.js';

export interface RetentionParts {
  /** Deletes audit rows older than `olderThan` (the store's batched, advisory-locked pruning). */
  pruneExpired(olderThan: Date): Promise<RetentionResult[]>;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => number;
}

const DAY_MS = 86_400_000;

/**
 * Audit retention runs in the gateway rather than in a separate cron: the store prunes in
 * batches under an advisory lock, so any number of gateways can schedule it and one does the
 * work. `retentionDays` 0 keeps the history forever (nothing is scheduled).
 */
export function startRetentionSchedule(parts: RetentionParts, retentionDays: number, intervalMs: number, timers?: IntervalTimers): Schedule {
  if (retentionDays <= 0) return { stop: () => undefined };
  const { pruneExpired, logger, now = Date.now } = parts;
  return repeat(
    intervalMs,
    async () => {
      const results = await pruneExpired(new Date(now() - retentionDays * DAY_MS));
      const deleted = results.reduce((n, r) => n + r.deleted, 0);
      if (deleted) logger.info({ results }, 'expired audit rows pruned');
    },
    (err) => logger.warn({ err: messageOf(err) }, 'audit retention failed; will retry'),
    timers,
  );
}
