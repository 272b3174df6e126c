import { randomUUID } from 'node:crypto';
import { fixtures } from '@hookstream/schemas';
import type { Receiver } from '@hookstream/test-kit';
import type { EventPublisher } from './publisher.js';
import { percentile, round, sleep } from './stats.js';

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
  /** Publish start per event id (for the stage breakdown). */
  sentAt: Map<string, number>;
}

type BenchEvent = Record<string, unknown> & { id: string; data: Record<string, unknown> };
let template: BenchEvent | undefined;

/**
 * A typical replied-message CloudEvent with a fresh id; the same payload for every
 * phase. The fixture's `data.event_id` is dropped so the delivered `event_id` is the
 * CloudEvent id, which is how receipts are matched to publishes. Built from one template
 * (the publisher shares the machine with the system it measures: it should cost little).
 */
export function repliedMessage(tenantId: string): BenchEvent {
  if (!template) {
    template = fixtures.envelope('replied-message', undefined, { id: randomUUID(), tenantid: tenantId }) as BenchEvent;
    delete template.data.event_id;
  }
  return { ...template, id: randomUUID(), time: new Date().toISOString(), tenantid: tenantId };
}

async function drain(receiver: Receiver, path: string, ids: Set<string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const count = receiptCounter(receiver, path);
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const got = count();
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

/** Distinct `webhook-id`s received on a path so far, counted incrementally (the request log only grows). */
function receiptCounter(receiver: Receiver, path: string): () => number {
  const ids = new Set<string>();
  let scanned = 0;
  return () => {
    const all = receiver.requests;
    for (; scanned < all.length; scanned++) {
      const r = all[scanned]!;
      if (r.path === path && r.status < 300 && r.webhookId) ids.add(r.webhookId);
    }
    return ids.size;
  };
}

/**
 * Maximum sustained rate: publishers push batches through the gateway for `seconds`, but
 * never more than `maxBacklog` events ahead of what the receiver got. A rate is sustained
 * only if the pipeline keeps up with it: publishing far faster than delivery would only
 * pile events up in Kafka (and spend the machine's two cores on intake instead of
 * delivery). Delivered rate is counted at the receiver from the first publish to the last
 * receipt, so the final drain of the backlog is included.
 */
export async function sustainedRate(
  api: EventPublisher,
  tenantId: string,
  receiver: Receiver,
  path: string,
  seconds: number,
  batchSize = 100,
  publishers = 4,
  maxBacklog = 4000,
): Promise<PipelineResult> {
  const accepted = new Set<string>();
  const delivered = receiptCounter(receiver, path);
  const t0 = Date.now();
  const deadline = t0 + seconds * 1000;
  let offered = 0;
  await Promise.all(
    Array.from({ length: publishers }, async () => {
      while (Date.now() < deadline) {
        if (offered - delivered() > maxBacklog) {
          await sleep(5);
          continue;
        }
        offered += batchSize;
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
  // A loop, not Math.max(...list): a spread of 150,000 receipts overflows the stack.
  const lastAt = received.reduce((latest, r) => Math.max(latest, r.receivedAt), 0);
  return {
    accepted: accepted.size,
    accepted_per_s: accepted.size / ((publishEnd - t0) / 1000),
    delivered: unique.size,
    delivered_per_s: unique.size / ((lastAt - t0) / 1000),
    lost: Math.max(0, accepted.size - unique.size),
    duplicated: received.length - unique.size,
  };
}

/** Publisher tick of the latency phase: events created during one tick go out in one request at its end. */
export const LATENCY_TICK_MS = 10;

/**
 * Publishes at a fixed rate, the way a busy publisher sends: every 10 ms, the events created
 * during those 10 ms in one request (the batch endpoint when there are several, the
 * single-event endpoint when there is one). The schedule never waits for responses (a slow
 * gateway cannot hide its slowness by slowing the publisher). Resolves once every request is
 * answered, with the creation time of each event the gateway accepted; `onTick` runs after
 * every tick's request is sent.
 */
export async function publishAtRate(
  api: EventPublisher,
  tenantId: string,
  ratePerS: number,
  seconds: number,
  onTick?: () => void,
): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  const t0 = Date.now();
  const total = Math.max(1, Math.round(ratePerS * seconds));
  const inFlight = new Set<Promise<unknown>>();
  let created = 0;
  for (let tick = 1; created < total; tick++) {
    const end = t0 + tick * LATENCY_TICK_MS;
    const wait = end - Date.now();
    if (wait > 0) await sleep(wait);
    const upTo = Math.min(total, Math.floor(((tick * LATENCY_TICK_MS) / 1000) * ratePerS));
    const events: ReturnType<typeof repliedMessage>[] = [];
    for (; created < upTo; created++) {
      const ev = repliedMessage(tenantId);
      sentAt.set(ev.id, t0 + (created / ratePerS) * 1000);
      events.push(ev);
    }
    if (events.length === 0) continue;
    const forget = () => {
      for (const ev of events) sentAt.delete(ev.id);
    };
    const request: Promise<unknown> =
      events.length === 1
        ? api.publish(events[0]).catch(forget)
        : api.publishBatch(events).then((r) => {
            const results = (r as { results?: { index: number; status: string }[] }).results ?? [];
            for (const item of results) if (item.status !== 'accepted') sentAt.delete(events[item.index]!.id);
          }, forget);
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
    onTick?.();
  }
  await Promise.all(inFlight);
  return sentAt;
}

/**
 * Publish-to-receipt latency at a fixed rate (`publishAtRate`). Latency = receipt at the
 * receiver minus the event's creation time, so the wait for the tick is included.
 */
export async function latencyAt(
  api: EventPublisher,
  tenantId: string,
  receiver: Receiver,
  path: string,
  ratePerS: number,
  seconds: number,
): Promise<LatencyResult> {
  const sentAt = await publishAtRate(api, tenantId, ratePerS, seconds);
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
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
    p99_ms: round(percentile(latencies, 99)),
    lost: sentAt.size - seen.size,
    sentAt,
  };
}
