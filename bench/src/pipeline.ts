import { randomUUID } from 'node:crypto';
import { fixtures } from '@hookstream/schemas';
import type { GatewayClient, Receiver } from '@hookstream/test-kit';
import { percentile, sleep } from './stats.js';

export interface PipelineResult {
  accepted_per_s: number;
  delivered_per_s: number;
  accepted: number;
  delivered: number;
  lost: number;
  duplicated: number;
}

export interface LatencyResult {
  rate_per_s: number;
  events: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  lost: number;
}

/**
 * A typical replied-message CloudEvent with a fresh id; the same payload for every
 * phase. The fixture's `data.event_id` is dropped so the delivered `event_id` is the
 * CloudEvent id, which is how receipts are matched to publishes.
 */
export function repliedMessage(tenantId: string): Record<string, unknown> & { id: string; data: Record<string, unknown> } {
  const e = fixtures.envelope('replied-message', undefined, { id: randomUUID(), tenantid: tenantId }) as Record<string, unknown> & { id: string; data: Record<string, unknown> };
  delete e.data.event_id;
  return e;
}

async function drain(receiver: Receiver, path: string, ids: Set<string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const got = receiver.uniqueIds(path).size;
    if (got >= ids.size) return;
    if (got !== last) {
      last = got;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 15_000) {
      return; // nothing moves any more
    }
    await sleep(100);
  }
}

/**
 * Maximum sustained rate: publishers push batches through the gateway for `seconds`;
 * delivered rate is counted at the receiver from the first publish to the last receipt.
 */
export async function sustainedRate(api: GatewayClient, tenantId: string, receiver: Receiver, path: string, seconds: number, batchSize = 100, publishers = 4): Promise<PipelineResult> {
  const accepted = new Set<string>();
  const t0 = Date.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: publishers }, async () => {
      while (Date.now() < deadline) {
        const batch = Array.from({ length: batchSize }, () => repliedMessage(tenantId));
        const r = (await api.publishBatch(batch)) as { results?: { index: number; status: string; id?: string }[] };
        for (const item of r.results ?? []) if (item.status === 'accepted') accepted.add(batch[item.index]!.id);
      }
    }),
  );
  const publishEnd = Date.now();
  await drain(receiver, path, accepted, 120_000);
  const received = receiver.at(path).filter((r) => r.status < 300);
  const unique = receiver.uniqueIds(path);
  const lastAt = Math.max(...received.map((r) => r.receivedAt));
  return {
    accepted: accepted.size,
    accepted_per_s: accepted.size / ((publishEnd - t0) / 1000),
    delivered: unique.size,
    delivered_per_s: unique.size / ((lastAt - t0) / 1000),
    lost: Math.max(0, accepted.size - unique.size),
    duplicated: received.length - unique.size,
  };
}

/**
 * Publish-to-receipt latency at a fixed rate: single events (the common case for a
 * publisher), paced every 10 ms; latency = receipt at the receiver minus the start of
 * the publish request.
 */
export async function latencyAt(api: GatewayClient, tenantId: string, receiver: Receiver, path: string, ratePerS: number, seconds: number): Promise<LatencyResult> {
  const sentAt = new Map<string, number>();
  const t0 = Date.now();
  const total = Math.max(1, Math.round(ratePerS * seconds));
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i / ratePerS) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const ev = repliedMessage(tenantId);
    sentAt.set(ev.id, Date.now());
    inFlight.push(api.publish(ev).catch(() => sentAt.delete(ev.id)));
    if (inFlight.length > 200) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await drain(receiver, path, new Set(sentAt.keys()), 60_000);
  const latencies: number[] = [];
  const seen = new Set<string>();
  for (const r of receiver.at(path)) {
    const id = (r.body as { event_id?: string }).event_id;
    if (!id || seen.has(id) || r.status >= 300) continue;
    const s = sentAt.get(id);
    if (s === undefined) continue;
    seen.add(id);
    latencies.push(r.receivedAt - s);
  }
  return {
    rate_per_s: ratePerS,
    events: sentAt.size,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    lost: sentAt.size - seen.size,
  };
}
