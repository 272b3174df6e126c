import type { Logger } from '@hookstream/service-kit';
import { messageOf, repeat, type IntervalTimers, type Schedule } from './repeat.js';

export interface HousekeepingParts {
  /** Forgets idle rate-limit buckets. */
  rateLimiter: { sweep(): void };
  /** Deletes dedup entries older than the window; answers how many. */
  dedup: { prune(): Promise<number> };
  /** Deletes the claims of expired single-use session tokens; answers how many. */
  sessionTokens?: { prune(): Promise<number> };
  logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Every `intervalMs`: the rate limiter forgets idle tenants, expired dedup entries are pruned and
 * so are the claims of expired session tokens (a claim outlives its token only until then).
 */
export function startHousekeeping(parts: HousekeepingParts, intervalMs: number, timers?: IntervalTimers): Schedule {
  const { rateLimiter, dedup, sessionTokens, logger } = parts;
  return repeat(
    intervalMs,
    async () => {
      rateLimiter.sweep();
      const n = await dedup.prune();
      if (n) logger.info({ pruned: n }, 'expired dedup entries pruned');
      const claims = sessionTokens ? await sessionTokens.prune() : 0;
      if (claims) logger.info({ pruned: claims }, 'expired session token claims pruned');
    },
    (err) => logger.warn({ err: messageOf(err) }, 'pruning dedup entries failed; will retry'),
    timers,
  );
}
