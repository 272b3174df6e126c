import type { Receiver } from '@hookstream/test-kit';
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
  const before = receiver.requests.length;
  const t0 = Date.now();
  for (let i = 0; i < events; i++) await api.publish(repliedMessage(tenantId));
  const expected = webhooks * events;
  const deadline = Date.now() + 120_000;
  const fanoutRequests = () => receiver.requests.slice(before).filter((r) => r.path.startsWith('/fanout/') && r.status < 300);
  while (fanoutRequests().length < expected && Date.now() < deadline) await sleep(50);
  const got = fanoutRequests();
  const last = Math.max(...got.map((r) => r.receivedAt));
  return { webhooks, events, deliveries: got.length, deliveries_per_s: got.length / ((last - t0) / 1000) };
}
