import type { Received, Receiver } from '@hookstream/test-kit';
import type { EventPublisher } from './publisher.js';
import { repliedMessage } from './pipeline.js';
import { sleep } from './stats.js';

/** One event to `webhooks` webhooks: deliveries per second from publish to the last receipt. */
export async function fanout(
  api: EventPublisher,
  tenantId: string,
  receiver: Receiver,
  webhooks: number,
  events: number,
): Promise<{ webhooks: number; events: number; deliveries: number; deliveries_per_s: number }> {
  const t0 = Date.now();
  // Counted as they come: the log only grows while this phase runs, and a request's status is set
  // as it is logged. Filtering the whole log every 50 ms was a twentieth of the bench's own CPU
  // in a fan-out, and more the slower the phase (quadratic in its length).
  let scanned = receiver.requests.length;
  const got: Received[] = [];
  const collect = () => {
    const log = receiver.requests;
    for (; scanned < log.length; scanned++) {
      const r = log[scanned]!;
      if (r.path.startsWith('/fanout/') && r.status < 300) got.push(r);
    }
    return got.length;
  };
  for (let i = 0; i < events; i++) await api.publish(repliedMessage(tenantId));
  const expected = webhooks * events;
  const deadline = Date.now() + 120_000;
  while (collect() < expected && Date.now() < deadline) await sleep(50);
  let last = 0;
  for (const r of got) last = Math.max(last, r.receivedAt);
  return { webhooks, events, deliveries: got.length, deliveries_per_s: got.length / ((last - t0) / 1000) };
}
