import { randomUUID } from 'node:crypto';
import { encodeEventRecord, fixtures, type CloudEvent, type DeliveryJob, type InvalidEventRecord } from '@hookstream/schemas';
import type { EventRow } from '@hookstream/store';
import { countRowsWhere, firstRowWhere } from '@hookstream/store/testing';
import {
  createTestDatabase,
  createTestKafka,
  startApp,
  waitFor,
  type AppProcess,
  type Collector,
  type TestDatabase,
  type TestKafka,
} from '@hookstream/test-kit';

export const PUBLIC_URL = 'https://hookstream.test';

export interface Pipeline {
  pg: TestDatabase;
  kafka: TestKafka;
  deliveries: Collector;
  invalid: Collector;
  matcher: AppProcess;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A fresh database and topic set, a running matcher and collectors on its outputs. */
export async function startPipeline(extraEnv: Record<string, string> = {}): Promise<Pipeline> {
  const [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka()]);
  const env = {
    DATABASE_URL: pg.url,
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    HOOKSTREAM_PUBLIC_URL: PUBLIC_URL,
    TOPIC_PARTITIONS_EVENTS: '2',
    TOPIC_PARTITIONS_DELIVERIES: '2',
    TOPIC_PARTITIONS_RETRY: '1',
    TOPIC_PARTITIONS_DLQ: '1',
    MATCHER_SESSION_TIMEOUT_MS: '6000',
    ...extraEnv,
  };
  const [deliveries, invalid, matcher] = await Promise.all([
    kafka.consume(kafka.topics.deliveries),
    kafka.consume(kafka.topics.eventsInvalid),
    startApp('matcher', { env }),
  ]);
  const pipeline: Pipeline = {
    pg,
    kafka,
    deliveries,
    invalid,
    matcher,
    env,
    async close() {
      // The matcher in place now: a test may have replaced the first one (kill and restart).
      await pipeline.matcher.stop('SIGTERM').catch(() => undefined);
      await Promise.all([kafka.close(), pg.drop()]);
    },
  };
  return pipeline;
}

/** A CloudEvent of `type` for a tenant, with the type's fixture data unless given. */
export function event(tenantId: string, type: string, data?: Record<string, unknown>, overrides: Record<string, unknown> = {}): CloudEvent {
  return fixtures.envelope(type, data ?? fixtures.eventData(type), { id: randomUUID(), tenantid: tenantId, ...overrides }) as CloudEvent;
}

/** Publishes events in order; with `key`, all on one partition (so they are matched in this order). */
export async function publish(p: Pipeline, events: CloudEvent[], key?: string, headers?: Record<string, string>): Promise<void> {
  await p.kafka.publish(
    p.kafka.topics.events,
    events.map((e) => {
      const record = encodeEventRecord(e);
      return { ...record, key: key ?? record.key, headers: { ...record.headers, ...headers } };
    }),
  );
}

/** A labelled sample on the matcher's /metrics page (labels given as `k="v"` pairs it must contain). */
export async function labelledMetric(p: Pipeline, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${p.matcher.opsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export function jobs(p: Pipeline): DeliveryJob[] {
  return p.deliveries.json<DeliveryJob>();
}

export function jobsOf(p: Pipeline, eventId: string): DeliveryJob[] {
  return jobs(p).filter((j) => j.event_id === eventId);
}

/** Waits until `n` jobs of the event arrived and returns them. */
export async function waitForJobs(p: Pipeline, eventId: string, n: number, timeoutMs = 20_000): Promise<DeliveryJob[]> {
  return waitFor(() => (jobsOf(p, eventId).length >= n ? jobsOf(p, eventId) : undefined), {
    timeoutMs,
    what: `${n} job(s) of event ${eventId} (have ${jobsOf(p, eventId).length})`,
  });
}

/** The matcher's `events` row, as the store defines it. */
export type EventIndexRow = EventRow;

/** Waits for the event's index row: once it exists, the matcher has made its decision for the event. */
export async function waitForIndexed(p: Pipeline, tenantId: string, eventId: string, timeoutMs = 20_000): Promise<EventIndexRow> {
  return waitFor(() => firstRowWhere(p.pg.db, 'events', { tenant_id: tenantId, id: eventId }) as Promise<EventIndexRow | undefined>, {
    timeoutMs,
    what: `event ${eventId} in the event index`,
  });
}

export function invalidRecords(p: Pipeline): InvalidEventRecord[] {
  return p.invalid.json<InvalidEventRecord>();
}

/** Value of an unlabelled metric on the matcher's /metrics page. */
export async function metricValue(p: Pipeline, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${p.matcher.opsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Waits until the matcher's subscription index holds every enabled webhook of the database. */
export async function waitForSubscriptions(p: Pipeline): Promise<void> {
  const n = await countRowsWhere(p.pg.db, 'webhooks', { enabled: true });
  await waitFor(async () => (await metricValue(p, 'hookstream_matcher_indexed_webhooks')) === n, {
    timeoutMs: 10_000,
    intervalMs: 20,
    what: `the matcher to index ${n} webhooks`,
  });
}
