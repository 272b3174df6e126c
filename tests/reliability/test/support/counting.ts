import type { Receiver } from '@hookstream/test-kit';

/** The verdict of one fault: what the receiver got against what the gateway accepted. */
export interface FaultCount {
  name: string;
  accepted: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** How long the fault held delivery up (issue 21's faults), beside the count in results/latest.json. */
  stall?: FaultStall;
}

/** One fault's delay figures: measured and recorded, never asserted. */
export interface FaultStall {
  /** Publish-to-receipt p99 of the events first published during the fault. */
  p99_during_fault_ms: number;
  /** Longest gap between two receipts at the receiver during the fault. */
  longest_gap_ms: number;
  /** From the fault to delivery flowing again (the end of that gap), or null when it never resumed. */
  recovery_ms: number | null;
}

/** The event id a delivered notification body carries. */
export function eventIdOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? ((body as { event_id?: unknown }).event_id as string | undefined) : undefined;
}

/**
 * Counts deliveries on the receiver paths against the accepted events, by `webhook-id`
 * (the delivery id: one per event and webhook). Duplicates are extra 2xx requests with a
 * `webhook-id` already seen; `mixedIds` counts events whose duplicates carried a different
 * `webhook-id` (must stay 0).
 */
export function countDeliveries(name: string, receiver: Receiver, paths: string[], acceptedEventIds: string[]): FaultCount & { mixedIds: number } {
  const accepted = new Set(acceptedEventIds);
  let delivered = 0;
  let duplicated = 0;
  let mixedIds = 0;
  for (const path of paths) {
    const byEvent = new Map<string, Set<string>>();
    let requests = 0;
    for (const r of receiver.at(path)) {
      if (r.status >= 300 || !r.webhookId) continue;
      const ev = eventIdOf(r.body);
      if (!ev || !accepted.has(ev)) continue;
      requests++;
      const ids = byEvent.get(ev) ?? new Set<string>();
      ids.add(r.webhookId);
      byEvent.set(ev, ids);
    }
    delivered += byEvent.size;
    duplicated += requests - byEvent.size;
    for (const ids of byEvent.values()) if (ids.size > 1) mixedIds++;
  }
  const expected = accepted.size * paths.length;
  return { name, accepted: accepted.size, delivered, lost: expected - delivered, duplicated, mixedIds };
}

/** Events (of the accepted ones) not yet delivered on every path. */
export function missing(receiver: Receiver, paths: string[], acceptedEventIds: string[]): number {
  return countDeliveries('', receiver, paths, acceptedEventIds).lost;
}

/** Accepted events some path did not receive (for diagnosing a failure). */
export function missingEvents(receiver: Receiver, paths: string[], acceptedEventIds: string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    const got = new Set(
      receiver
        .at(path)
        .filter((r) => r.status < 300)
        .map((r) => eventIdOf(r.body)),
    );
    for (const id of acceptedEventIds) if (!got.has(id)) out.add(id);
  }
  return [...out];
}
