import { RETRY_TIER_MS, RETRY_TIERS, type RetryTier } from '@hookstream/service-kit';

/** Delay before the retry that follows failed attempt `attempt` (1-based): retry_base^attempt seconds. */
export function retryDelayMs(retryBase: number, attempt: number): number {
  return Math.pow(retryBase, attempt) * 1000;
}

/** Whether a failed attempt may be retried: attempts 1 .. retry_max_count are, the last one is not. */
export function canRetry(attempt: number, retryMaxCount: number): boolean {
  return attempt <= retryMaxCount;
}

/**
 * The retry topic a job waits on: the largest tier whose delay fits in the time left, so the
 * job hops down the tiers as its due time approaches; anything shorter than the smallest tier
 * waits on it (held there only until its due time).
 */
export function tierFor(remainingMs: number): RetryTier {
  let chosen: RetryTier = RETRY_TIERS[0];
  for (const tier of RETRY_TIERS) {
    if (RETRY_TIER_MS[tier] <= remainingMs) chosen = tier;
  }
  return chosen;
}

/**
 * Until when a message on a tier topic waits: its tier's delay after it was enqueued, or its
 * due time if that comes first. Messages of one partition are enqueued in time order, so their
 * hold times are in order too and the first one held blocks nothing that is due before it.
 */
export function holdUntil(tier: RetryTier, enqueuedAt: number, dueAt: number): number {
  return Math.min(enqueuedAt + RETRY_TIER_MS[tier], dueAt);
}
