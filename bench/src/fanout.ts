import type { Received, Receiver } from '@hookstream/test-kit';
import type { EventPublisher } from './publisher.js';
import { repliedMessage } from './pipeline.js';
import { sleep } from './stats.js';

export interface FanoutBurst {
  /** Events published, one after the other. */
  events: number;
  deliveries: number;
  /** Deliveries per second from the burst's first publish to its last receipt. */
  deliveries_per_s: number;
  /** Milliseconds from the first publish to the last publish's 202 (the publisher waits for each). */
  published_ms: number;
  /** Milliseconds from the first publish to the first and to the last receipt. */
  first_receipt_ms: number;
  last_receipt_ms: number;
}

/**
 * Bursts of one event to `webhooks` webhooks, `count` times each: deliveries per second from the
 * first publish to the last receipt. The fan-out phase measures a second burst: the first one
 * to the phase's webhooks also measures what a just-started process does once (code still
 * interpreted before V8 optimises it, connections opened, caches filled), reported beside it.
 */
export function fanoutBursts(api: EventPublisher, tenantId: string, receiver: Receiver, webhooks: number): (count: number) => Promise<FanoutBurst> {
  // Counted as they come: the log only grows while this phase runs, and a request's status is set
  // as it is logged. Filtering the whole log every 50 ms was a twentieth of the bench's own CPU
  // in a fan-out, and more the slower the phase (quadratic in its length).
  let scanned = receiver.requests.length;
  return async (count) => {
    const t0 = Date.now();
    const got: Received[] = [];
    const collect = () => {
      const log = receiver.requests;
      for (; scanned < log.length; scanned++) {
        const r = log[scanned]!;
        if (r.path.startsWith('/fanout/') && r.status < 300) got.push(r);
      }
      return got.length;
    };
    for (let i = 0; i < count; i++) await api.publish(repliedMessage(tenantId));
    const published = Date.now();
    const expected = webhooks * count;
    const deadline = Date.now() + 120_000;
    while (collect() < expected && Date.now() < deadline) await sleep(50);
    let last = 0;
    let first = Infinity;
    for (const r of got) {
      last = Math.max(last, r.receivedAt);
      first = Math.min(first, r.receivedAt);
    }
    return {
      events: count,
      deliveries: got.length,
      deliveries_per_s: got.length / ((last - t0) / 1000),
      published_ms: published - t0,
      first_receipt_ms: first - t0,
      last_receipt_ms: last - t0,
    };
  };
}
