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
  enforceRequestTimeout: boolean;
  inflight: Map<number, InflightRequest>;
  isConnected(): boolean;
  /** kafkajs' handle of its timeout check; its `destroy()` clears it (clearInterval clears a timeout too). */
  requestTimeoutIntervalId?: NodeJS.Timeout | null;
  scheduleRequestTimeoutCheck(): void;
  sendSocketRequest(request: InflightRequest): void;
  destroy(): void;
}

/** The part of kafkajs' SocketRequest the timeout check reads. */
export interface InflightRequest {
  correlationId: number;
  /** ms since the epoch, set when the request went onto the socket. */
  sentAt: number;
  requestTimeout: number;
  timeoutRequest(): void;
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

/** When the armed timeout check fires, and whether the queue enforces request timeouts now. */
const checkAt = new WeakMap<KafkaRequestQueue, number>();
const enforcing = new WeakSet<KafkaRequestQueue>();

/**
 * kafkajs 2.2.4 checks every open connection for timed-out requests on a 100 ms interval
 * (`Math.min(requestTimeout, 100)`), in flight or not: ten wake-ups a second per broker
 * connection, most of what an idle app woke up for (two to four connections each). Requests
 * time out only after `requestTimeout` (30 s, a fetch its wait on top), so one timer at the
 * earliest in-flight deadline does the same work: armed when a request is sent with a deadline
 * before the armed one, and when it fires it times out what is overdue, exactly as kafkajs does,
 * and re-arms for the next deadline or not at all when nothing is in flight. A request now
 * times out at its deadline instead of up to 100 ms after it.
 */
function armTimeoutCheck(queue: KafkaRequestQueue, deadline: number): void {
  const armed = checkAt.get(queue);
  if (queue.requestTimeoutIntervalId && armed !== undefined && armed <= deadline) return;
  clearTimeout(queue.requestTimeoutIntervalId ?? undefined);
  checkAt.set(queue, deadline);
  // kafkajs times a request out once it is *more* than requestTimeout old: one ms past the deadline.
  queue.requestTimeoutIntervalId = setTimeout(() => checkTimeouts(queue), Math.max(0, deadline - Date.now() + 1));
}

function checkTimeouts(queue: KafkaRequestQueue): void {
  queue.requestTimeoutIntervalId = null;
  checkAt.delete(queue);
  if (!enforcing.has(queue)) return;
  if (!queue.isConnected()) {
    queue.destroy();
    return;
  }
  const now = Date.now();
  let next = Infinity;
  for (const request of [...queue.inflight.values()]) {
    if (now - request.sentAt > request.requestTimeout) request.timeoutRequest();
    else next = Math.min(next, request.sentAt + request.requestTimeout);
  }
  if (next < Infinity) armTimeoutCheck(queue, next);
}

/** Replaces kafkajs' 100 ms interval, started on every connect. */
export function scheduleTimeoutCheckAtDeadlines(this: KafkaRequestQueue): void {
  this.destroy();
  if (!this.enforceRequestTimeout) return;
  enforcing.add(this);
  for (const request of this.inflight.values()) armTimeoutCheck(this, request.sentAt + request.requestTimeout);
}

let applied: boolean | undefined;

/**
 * Replaces the spinning scheduler of the kafkajs request queue and its 100 ms timeout check
 * (once per process). Returns whether
 * the fix is in place; a kafkajs other than {@link FIXED_KAFKAJS_VERSION} is left as it is.
 */
export function fixKafkaRequestQueue(): boolean {
  if (applied !== undefined) return applied;
  const require = createRequire(import.meta.url);
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== FIXED_KAFKAJS_VERSION) return (applied = false);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: KafkaRequestQueue };
  const queue = RequestQueue.prototype;
  queue.scheduleCheckPendingRequests = scheduleCheckOnlyWhenPending;
  queue.scheduleRequestTimeoutCheck = scheduleTimeoutCheckAtDeadlines;
  const { sendSocketRequest, destroy } = queue;
  queue.sendSocketRequest = function (this: KafkaRequestQueue, request: InflightRequest) {
    sendSocketRequest.call(this, request);
    // A request that expects no response has already left `inflight`.
    if (enforcing.has(this) && this.inflight.has(request.correlationId)) armTimeoutCheck(this, request.sentAt + request.requestTimeout);
  };
  queue.destroy = function (this: KafkaRequestQueue) {
    enforcing.delete(this);
    checkAt.delete(this);
    destroy.call(this);
  };
  return (applied = true);
}
