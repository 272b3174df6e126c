import { createRequire } from 'node:module';

/**
 * The part of kafkajs' per-connection request queue (src/network/requestQueue) this fix touches.
 * Not a public kafkajs API: the module is reached by its path, and the fix is applied only to
 * the release it was written against.
 */
export interface KafkaRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** The kafkajs release whose request queue spins (tulios/kafkajs#1556, #1604, #1704; unreleased fix #1667). */
export const FIXED_KAFKAJS_VERSION = '2.2.4';
/** kafkajs' own recheck period while requests wait for a free in-flight slot. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/**
 * kafkajs 2.2.4 re-arms a timer after every check of its pending requests even when none are
 * pending, and with no client-side throttle the delay is negative, i.e. 1 ms: every open broker
 * connection wakes the process about a thousand times a second for nothing, idle or not. This
 * schedules a check only when a request is waiting (at the throttle's end, or kafkajs' 10 ms
 * period while the in-flight limit is reached); a request that finds the queue full schedules its
 * own check when it is queued, and every response or timeout checks the queue too, so nothing
 * waits longer than before.
 */
export function scheduleCheckOnlyWhenPending(this: KafkaRequestQueue): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

let applied: boolean | undefined;

/**
 * Replaces the spinning scheduler of the kafkajs request queue (once per process). Returns whether
 * the fix is in place; a kafkajs other than {@link FIXED_KAFKAJS_VERSION} is left as it is.
 */
export function fixKafkaRequestQueue(): boolean {
  if (applied !== undefined) return applied;
  const require = createRequire(import.meta.url);
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== FIXED_KAFKAJS_VERSION) return (applied = false);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: KafkaRequestQueue };
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckOnlyWhenPending;
  return (applied = true);
}
