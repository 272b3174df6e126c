import type { Logger } from '@hookstream/service-kit';
import { messageOf, repeat, type IntervalTimers } from './repeat.js';

export interface RateDemandSyncParts {
  /** Reports this instance's demand and takes the new split (the cluster rate share). */
  split: { sync(): Promise<void>; leave(): Promise<void> };
  logger: Pick<Logger, 'warn'>;
}

/**
 * Every `intervalMs` this gateway reports its tenants' request rates and takes its share of
 * each tenant's limit. Stopping withdraws its reports so the other gateways take the whole
 * limit at once; best effort: reports of a gateway that cannot say goodbye go stale on their own.
 */
export function startRateDemandSync(parts: RateDemandSyncParts, intervalMs: number, timers?: IntervalTimers): { stop(): Promise<void> } {
  const { split, logger } = parts;
  const schedule = repeat(
    intervalMs,
    () => split.sync(),
    // sync() logs PostgreSQL outages itself; this only catches what it did not expect.
    (err) => logger.warn({ err: messageOf(err) }, 'tenant rate limit split: sync failed; will retry'),
    timers,
  );
  return {
    async stop() {
      schedule.stop();
      await split.leave().catch(() => undefined);
    },
  };
}
