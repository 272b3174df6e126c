import type { Received } from './receiver.js';
import { distribution } from './load.js';

/** How long delivery stopped around a fault, seen from the receiver. */
export interface DeliveryStall {
  /**
   * From the fault to the first receipt of an event published after it: the time the pipeline
   * delivered nothing new (a redelivery of older work does not count as resumed).
   */
  resumedAfterMs: number | undefined;
  /** The longest silence between two consecutive receipts from 1 s before the fault on. */
  longestGapMs: number;
  /** Publish-to-receipt of the events published within `windowMs` after the fault (first receipt each). */
  latencyDuringFault: { count: number; p50: number; p99: number; max: number };
}

export interface DeliveryStallInput {
  /** 2xx receipts on the paths measured. */
  receipts: Received[];
  /** Publish time per event id (the load's `publishedAt`). */
  publishedAt: Map<string, number>;
  /** When the fault was injected (ms since epoch). */
  faultAt: number;
  /** Window after the fault whose events the latency figures cover (default 15 s). */
  windowMs?: number;
  /** The event id a receipt carries. */
  eventIdOf: (r: Received) => string | undefined;
}

/**
 * Measures, never asserts: the figures are printed and recorded, since a timed assertion on a
 * loaded 2-core machine would be flaky.
 */
export function deliveryStall({ receipts, publishedAt, faultAt, windowMs = 15_000, eventIdOf }: DeliveryStallInput): DeliveryStall {
  const ok = receipts.filter((r) => r.status < 300).sort((a, b) => a.receivedAt - b.receivedAt);
  let resumedAfterMs: number | undefined;
  const firstReceipt = new Map<string, number>();
  for (const r of ok) {
    const id = eventIdOf(r);
    const published = id === undefined ? undefined : publishedAt.get(id);
    if (published === undefined || id === undefined) continue;
    if (!firstReceipt.has(id)) firstReceipt.set(id, r.receivedAt);
    if (resumedAfterMs === undefined && published >= faultAt && r.receivedAt >= faultAt) resumedAfterMs = r.receivedAt - faultAt;
  }
  let longestGapMs = 0;
  let previous = faultAt - 1000;
  for (const r of ok) {
    if (r.receivedAt < previous) continue;
    longestGapMs = Math.max(longestGapMs, r.receivedAt - previous);
    previous = r.receivedAt;
  }
  const latencies: number[] = [];
  for (const [id, at] of firstReceipt) {
    const published = publishedAt.get(id)!;
    if (published >= faultAt && published < faultAt + windowMs) latencies.push(at - published);
  }
  return { resumedAfterMs, longestGapMs, latencyDuringFault: distribution(latencies) };
}
