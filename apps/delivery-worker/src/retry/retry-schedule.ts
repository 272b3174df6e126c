import { holdUntil } from './backoff.js';
import type { RetryTier } from '@hookstream/service-kit';

/** Waits up to this long are spent in memory (see WaitingRoom); longer ones pause the partition. */
export const IN_MEMORY_WAIT_MS = 5_000;
/**
 * A paused partition is resumed this long before its first job's time, so the refetch (up to
 * one long poll) is over before the job is due; the rest of the wait is spent in memory.
 */
export const RESUME_LEAD_MS = 1_000;

/** What a job read from a tier topic waits for. */
export type TierStep =
  /** Not within reach: pause the partition until then and read the job again. */
  | { pauseUntil: number }
  /** Wait in memory until then (possibly 0 ms), then attempt the job or hop it to a shorter tier. */
  | { waitUntil: number };

/**
 * A job on a tier waits until it is due, or until its tier's delay ran out (then it moves to
 * the tier that fits the time left). When its due time is within the in-memory reach it waits
 * for exactly that, with no hop in between.
 */
export function tierStep(tier: RetryTier, enqueuedAt: number, dueAt: number | undefined, now: number, inMemoryMs = IN_MEMORY_WAIT_MS): TierStep {
  const due = dueAt && dueAt > 0 ? dueAt : enqueuedAt;
  const wakeAt = due - now <= inMemoryMs ? due : holdUntil(tier, enqueuedAt, due);
  if (wakeAt - now > inMemoryMs) return { pauseUntil: wakeAt - RESUME_LEAD_MS };
  return { waitUntil: wakeAt };
}
