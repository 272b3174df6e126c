#!/usr/bin/env node
// Ingest throughput of one gateway process against the real broker and PostgreSQL:
// single-event requests from concurrent clients, then batch requests.
//   npm run build && npm run gateway:ingest -w @hookstream/bench -- [--seconds=3] [--concurrency=32] [--batch=100]
// Needs a built tree (npm run build) and the broker on KAFKA_BROKERS (default 127.0.0.1:9092).
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';

// Set before test-kit is loaded: it reads them when imported.

process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const { createTestDatabase, createTestKafka, startApp } = await import('@hookstream/test-kit');
const { fixtures } = await import('@hookstream/schemas');

const arg = (name: string, def: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const seconds = arg('seconds', 3);
const concurrency = arg('concurrency', 32);
const batchSize = arg('batch', 100);

const [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka({ partitions: 3 })]);
const admin = `admin-${randomBytes(12).toString('hex')}`;
const app = await startApp('gateway', {
  env: {
    DATABASE_URL: pg.url,
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    HOOKSTREAM_SECRET_KEY: randomBytes(32).toString('base64'),
    HOOKSTREAM_ADMIN_TOKEN: admin,
    TENANT_RATE_LIMIT_PER_S: '1000000',
    LOG_LEVEL: 'info',
    ...(process.env.GATEWAY_NODE_OPTIONS ? { NODE_OPTIONS: process.env.GATEWAY_NODE_OPTIONS } : {}),
  },
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

async function run(label: string, makeRequest: () => Promise<Response>, eventsPerRequest: number) {
  const latencies: number[] = [];
  let failures = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const s = performance.now();
        const res = await makeRequest();
        await res.arrayBuffer();
        if (res.status !== 202) failures++;
        latencies.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const result = {
    case: label,
    requests: latencies.length,
    failures,
    requests_per_s: Math.round(latencies.length / elapsed),
    events_per_s: Math.round((latencies.length * eventsPerRequest) / elapsed),
    p50_ms: Number(percentile(latencies, 50)!.toFixed(1)),
    p99_ms: Number(percentile(latencies, 99)!.toFixed(1)),
  };
  console.log(JSON.stringify(result));
  return result;
}

try {
  const tenant = (await (
    await fetch(`${app.baseUrl}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    })
  ).json()) as { api_key: string };
  const headers = { authorization: `Bearer ${tenant.api_key}`, 'content-type': 'application/cloudevents+json' };
  const event = () => {
    const { tenantid: _t, ...e } = fixtures.envelope('replied-message');
    return e;
  };
  console.log(JSON.stringify({ seconds, concurrency, batchSize, cpus: cpus().length }));
  await run('single event per request', () => fetch(`${app.baseUrl}/v1/events`, { method: 'POST', headers, body: JSON.stringify(event()) }), 1);
  await run(
    `batch of ${batchSize}`,
    () => {
      const body = JSON.stringify(Array.from({ length: batchSize }, event));
      return fetch(`${app.baseUrl}/v1/events/batch`, { method: 'POST', headers: { ...headers, 'content-type': 'application/cloudevents-batch+json' }, body });
    },
    batchSize,
  );
} finally {
  await app.stop('SIGTERM');
  await Promise.all([pg.drop(), kafka.close()]);
}
