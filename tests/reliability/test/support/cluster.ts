import { distribution, waitFor, type Receiver, type TestKafka } from '@hookstream/test-kit';
import { eventIdOf, type FaultStall } from './counting.js';

type Admin = TestKafka['admin'];

/** The consumer groups' offsets: a node back in sync must hold its copies of them too. */
export const OFFSETS_TOPIC = '__consumer_offsets';

/** Partitions each broker leads among the topics, most first. */
export async function leadersByBroker(admin: Admin, topics: string[]): Promise<Array<{ nodeId: number; partitions: number }>> {
  const meta = await admin.fetchTopicMetadata({ topics });
  const counts = new Map<number, number>();
  for (const t of meta.topics) for (const p of t.partitions) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  return [...counts].map(([nodeId, partitions]) => ({ nodeId, partitions })).sort((a, b) => b.partitions - a.partitions);
}

/** Partitions of the topics whose in-sync replicas are fewer than their replicas (or that have no leader). */
export async function underReplicated(admin: Admin, topics: string[]): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics });
  let short = 0;
  for (const t of meta.topics) for (const p of t.partitions) if (p.leader < 0 || p.isr.length < p.replicas.length) short++;
  return short;
}

/** Waits until every partition of the topics has its full ISR: the cluster is back in sync. */
export async function waitForFullIsr(admin: Admin, topics: string[], timeoutMs = 180_000): Promise<void> {
  let last = -1;
  await waitFor(
    async () => {
      last = await underReplicated(admin, topics);
      return last === 0;
    },
    { timeoutMs, intervalMs: 500, what: `every partition of ${topics.length} topics with its full ISR (under-replicated: ${last})` },
  );
}

/** Every topic of the system's prefix, with the group offsets. */
export async function systemTopics(admin: Admin, prefix: string): Promise<string[]> {
  return [...(await admin.listTopics()).filter((t) => t.startsWith(prefix)), OFFSETS_TOPIC];
}

/** Replication factor and min.insync.replicas of each topic, as the cluster reports them. */
export async function replicationOf(admin: Admin, topics: string[]): Promise<Array<{ topic: string; replicas: number[]; minIsr: string | undefined }>> {
  const meta = await admin.fetchTopicMetadata({ topics });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: 2 /* TOPIC */, name, configNames: ['min.insync.replicas'] })),
  });
  return meta.topics.map((t) => ({
    topic: t.name,
    replicas: [...new Set(t.partitions.map((p) => p.replicas.length))],
    minIsr: configs.resources.find((r) => r.resourceName === t.name)?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue,
  }));
}

/**
 * Publish-to-receipt of the events first published within [from, to]: the time from the
 * publisher's first try to the first 2xx receipt on each path (an event still missing counts
 * up to `now`), p50 / p99 / max in ms; and the longest gap between two 2xx receipts at the
 * receiver within the window. The "longest stall in delivery" is the p99.
 */
export function stallDuring(
  receiver: Receiver,
  paths: string[],
  publishedAt: Map<string, number>,
  window: { from: number; to: number },
): {
  window_ms: number;
  events: number;
  publish_to_receipt_ms: ReturnType<typeof distribution>;
  longest_receipt_gap_ms: number;
  /** When the longest gap ended, from `window.from`: delivery flowing again. */
  longest_gap_ended_after_ms: number;
} {
  const firstReceipt = new Map<string, number>();
  const receipts: number[] = [];
  for (const path of paths) {
    for (const r of receiver.at(path)) {
      if (r.status >= 300) continue;
      const id = eventIdOf(r.body);
      if (!id) continue;
      const key = `${path} ${id}`;
      if (!firstReceipt.has(key) || firstReceipt.get(key)! > r.receivedAt) firstReceipt.set(key, r.receivedAt);
      if (r.receivedAt >= window.from && r.receivedAt <= window.to) receipts.push(r.receivedAt);
    }
  }
  const latencies: number[] = [];
  let events = 0;
  for (const [id, at] of publishedAt) {
    if (at < window.from || at > window.to) continue;
    events++;
    for (const path of paths) latencies.push((firstReceipt.get(`${path} ${id}`) ?? Date.now()) - at);
  }
  receipts.sort((a, b) => a - b);
  let gap = receipts.length ? receipts[0]! - window.from : window.to - window.from;
  let endedAt = receipts.length ? receipts[0]! : window.to;
  for (let i = 1; i < receipts.length; i++) {
    if (receipts[i]! - receipts[i - 1]! > gap) {
      gap = receipts[i]! - receipts[i - 1]!;
      endedAt = receipts[i]!;
    }
  }
  return {
    window_ms: window.to - window.from,
    events,
    publish_to_receipt_ms: distribution(latencies),
    longest_receipt_gap_ms: gap,
    longest_gap_ended_after_ms: endedAt - window.from,
  };
}

/** The summary of a stall recorded beside its fault's count. */
export function faultStall(stall: ReturnType<typeof stallDuring>): FaultStall {
  return { p99_during_fault_ms: stall.publish_to_receipt_ms.p99, longest_gap_ms: stall.longest_receipt_gap_ms, recovery_ms: stall.longest_gap_ended_after_ms };
}

/**
 * Where accepted events that never arrived got to: how many of them are on `events` (the
 * gateway's produce was kept) and on `deliveries` (the matcher made their jobs). Written to
 * stderr when a count fails, so a loss says which hop lost it.
 */
export async function traceMissing(kafka: TestKafka, eventIds: string[]): Promise<Record<string, unknown>> {
  if (eventIds.length === 0) return {};
  const found: Record<string, number> = {};
  for (const topic of [kafka.topics.events, kafka.topics.deliveries]) {
    const c = await kafka.consume(topic);
    // Everything up to now: the topic is read from its beginning until it stops growing.
    let seen = -1;
    await waitFor(
      async () => {
        const stable = c.messages.length === seen;
        seen = c.messages.length;
        await new Promise((r) => setTimeout(r, 3000));
        return stable;
      },
      { timeoutMs: 120_000, what: `${topic} read to its end` },
    ).catch(() => undefined);
    const values = c.messages.map((m) => m.value?.toString() ?? '');
    found[topic] = eventIds.filter((id) => values.some((v) => v.includes(id))).length;
    await c.stop();
  }
  return { missing: eventIds.length, sample: eventIds.slice(0, 5), found_on_topic: found };
}

/**
 * When the gateway stopped and resumed accepting events during a fault: the longest gap between
 * two answers that accepted events within [from, to] (from `from` to the first one counts), and
 * when that gap ended, counted from `from`. A broker's loss blocks publishing until its
 * partitions have new leaders; this says how long that took as the publishers saw it.
 */
export function acceptanceDuring(acceptedAt: number[], window: { from: number; to: number }): { longest_accept_gap_ms: number; gap_ended_after_ms: number } {
  const inside = acceptedAt.filter((t) => t >= window.from && t <= window.to).sort((a, b) => a - b);
  let prev = window.from;
  let gap = 0;
  let endedAt = window.from;
  for (const t of [...inside, ...(inside.length ? [] : [window.to])]) {
    if (t - prev > gap) {
      gap = t - prev;
      endedAt = t;
    }
    prev = t;
  }
  return { longest_accept_gap_ms: gap, gap_ended_after_ms: endedAt - window.from };
}
