import type { Logger } from '@hookstream/service-kit';
import { messageOf, repeat, type IntervalTimers, type Schedule } from './repeat.js';

export interface HousekeepingParts {
  /** Forgets idle rate-limit buckets. */
  rateLimiter: { sweep(): void };
  /** Deletes dedup entries older than the window; answers how many. */
  dedup: { prune(): Promise<number> };
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** Every `intervalMs`: the rate limiter forgets idle tenants and expired dedup entries are pruned. */
export function startHousekeeping(parts: HousekeepingParts, intervalMs: number, timers?: IntervalTimers): Schedule {
  const { rateLimiter, dedup, logger } = parts;
  return repeat(
    intervalMs,
    async () => {
      rateLimiter.sweep();
      const n = await dedup.prune();
      if (n) logger.info({ pruned: n }, 'expired dedup entries pruned');
    },
    (err) => logger.warn({ err: messageOf(err) }, 'pruning dedup entries failed; will retry'),
    timers,
  );
}
