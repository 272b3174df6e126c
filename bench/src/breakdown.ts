import { writeFileSync } from 'node:fs';
import type { Receiver, TestKafka } from '@hookstream/test-kit';
import { percentile, round, sleep } from './stats.js';

export interface Stage {
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

/** Where publish-to-receipt time goes, stage by stage, from timestamps the pipeline already records. */
export interface LatencyBreakdown {
  events: number;
  /** Publish request start -> the gateway's produce to `events` (HTTP, auth, dedup claim). */
  gateway: Stage;
  /** `events` record -> the matcher's produce to `deliveries` (broker ack, matcher fetch, plan). */
  matcher: Stage;
  /** `deliveries` record -> receipt (index write + commit ahead of it, worker fetch, HTTP call). */
  worker: Stage;
}

const stage = (xs: number[]): Stage => ({ p50_ms: round(percentile(xs, 50)), p95_ms: round(percentile(xs, 95)), p99_ms: round(percentile(xs, 99)) });

interface JobTrace {
  event_id: string;
  tenant_id: string;
  trace?: { published_at?: number };
}

/**
 * Reads the `deliveries` topic and joins each job of `tenantId` with its publish time and its
 * receipt: the events record's timestamp (the job's `trace.published_at`, set by the gateway's
 * producer) and the deliveries record's own timestamp (set by the matcher's producer).
 */
export async function latencyBreakdown(
  kafka: TestKafka,
  tenantId: string,
  sentAt: Map<string, number>,
  receiver: Receiver,
  path: string,
  /** Development aid: one line per event, `sent published produced received` (ms since the epoch). */
  traceFile?: string,
): Promise<LatencyBreakdown> {
  const received = new Map<string, number>();
  for (const r of receiver.at(path)) {
    const id = (r.body as { event_id?: string }).event_id;
    if (id && r.status < 300 && !received.has(id)) received.set(id, r.receivedAt);
  }
  const collector = await kafka.consume(kafka.topics.deliveries);
  try {
    const deadline = Date.now() + 30_000;
    let seen = 0;
    const mine = () => collector.messages.filter((m) => m.value?.includes(tenantId)).length;
    while (Date.now() < deadline && (seen = mine()) < received.size) await sleep(200);
    void seen;
    const gateway: number[] = [];
    const matcher: number[] = [];
    const worker: number[] = [];
    const lines: string[] = [];
    for (const m of collector.messages) {
      if (!m.value?.includes(tenantId)) continue;
      const job = JSON.parse(m.value.toString('utf8')) as JobTrace;
      const sent = sentAt.get(job.event_id);
      const got = received.get(job.event_id);
      const published = job.trace?.published_at;
      if (sent === undefined || got === undefined || published === undefined) continue;
      const produced = Number(m.timestamp);
      gateway.push(published - sent);
      matcher.push(produced - published);
      worker.push(got - produced);
      if (traceFile) lines.push(`${sent} ${published} ${produced} ${got}`);
    }
    if (traceFile) writeFileSync(traceFile, lines.join('\n') + '\n');
    return { events: gateway.length, gateway: stage(gateway), matcher: stage(matcher), worker: stage(worker) };
  } finally {
    await collector.stop();
  }
}
