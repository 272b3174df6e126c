#!/usr/bin/env node
// End-to-end throughput of one worker process: jobs on `deliveries` -> HTTP calls to a local
// receiver -> audit rows. Uses the real broker and PostgreSQL (as the tests do).
//   npm run build && npm run delivery-worker:throughput -w @hookstream/bench -- --jobs=5000 --webhooks=20 --delay-ms=0
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { machineSpeed } from '../machine-speed.js';

// Set before test-kit is loaded: it reads them when imported.
process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const { createTestDatabase, createTestKafka, startApp } = await import('@hookstream/test-kit');
const { createDeliveryJob, encodeDeliveryJobRecord, fixtures, normalizeWebhookRequest } = await import('@hookstream/schemas');

const arg = (name: string, def: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const JOBS = arg('jobs', 5000);
const WEBHOOKS = arg('webhooks', 20);
const DELAY_MS = arg('delay-ms', 0);

const received = new Map<string, number>();
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received.set(String(req.headers['webhook-id']), Date.now());
    setTimeout(() => res.end('ok'), DELAY_MS);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

const [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka({ partitions: 6 })]);
const tenantId = randomUUID();
await pg.db('tenants').insert({ id: tenantId, name: 'bench', api_key_hash: randomBytes(16).toString('hex'), api_key_hint: 'b' });
// One delivery per call (a system webhook batches 100 by default since issue 17.3, and the receiver
// counts calls by `webhook-id`) and the main bench's calls in flight per webhook.
const TUNING = { batch_size: 1, max_in_flight: 32 };
const webhookIds: string[] = [];
for (let i = 0; i < WEBHOOKS; i++) {
  const n = normalizeWebhookRequest(fixtures.webhookRequests.userSystemWebhook);
  if (!n.ok) throw new Error(`the fixture webhook is invalid: ${JSON.stringify(n.errors)}`);
  const id = randomUUID();
  await pg.db('webhooks').insert({ id, tenant_id: tenantId, kind: 'system', spec: JSON.stringify({ ...n.value, endpoint: url, ...TUNING }), fingerprint: id });
  webhookIds.push(id);
}
// The worker started below, if it started: an uncaught error kills it.
const started: { worker?: Awaited<ReturnType<typeof startApp>> } = {};
const cleanup = async () => {
  started.worker?.child.kill('SIGKILL');
  await Promise.all([pg.drop(), kafka.close()]).catch(() => undefined);
};
process.on('uncaughtException', (e) => {
  console.error(e);
  void cleanup().then(() => process.exit(1));
});
const worker = await startApp('delivery-worker', {
  env: {
    DATABASE_URL: pg.url,
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    HOOKSTREAM_SECRET_KEY: randomBytes(32).toString('base64'),
    HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: 'true',
    TOPIC_PARTITIONS_DELIVERIES: '6',
    TOPIC_PARTITIONS_RETRY: '6',
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  },
});
started.worker = worker;

const body = fixtures.deliveredBody('jive:user_session_login');
const jobs = Array.from({ length: JOBS }, (_, i) =>
  createDeliveryJob({ event_id: randomUUID(), tenant_id: tenantId, webhook_id: webhookIds[i % WEBHOOKS]!, event_type: 'jive:user_session_login', body }),
);
// The worker's CPU (user + system, ms) and minor page faults, from /proc: load on the machine
// changes the throughput a lot, the CPU spent per delivery much less. A fault costs this machine
// (a PVM guest) about 10 us, so memory the process gives back and touches again is a cost of its own.
const usage = (pid: number): { cpuMs: number; minorFaults: number } => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100, minorFaults: Number(fields[7]) };
};
const usage0 = usage(worker.child.pid!);
const t0 = Date.now();
const producedAt = new Map<string, number>();
for (let i = 0; i < jobs.length; i += 500) {
  const chunk = jobs.slice(i, i + 500);
  await kafka.publish(
    kafka.topics.deliveries,
    chunk.map((j) => encodeDeliveryJobRecord(j)),
  );
  const at = Date.now();
  for (const j of chunk) producedAt.set(j.delivery_id, at);
}
const producedMs = Date.now() - t0;
while (received.size < JOBS) await new Promise((r) => setTimeout(r, 20));
const deliveredMs = Date.now() - t0;
for (;;) {
  const [row] = await pg.db('deliveries').where({ status: 'delivered' }).count({ n: '*' });
  if (Number(row?.n ?? 0) >= JOBS) break;
  await new Promise((r) => setTimeout(r, 50));
}
const auditedMs = Date.now() - t0;
const usage1 = usage(worker.child.pid!);
const workerCpuMs = usage1.cpuMs - usage0.cpuMs;
const workerFaults = usage1.minorFaults - usage0.minorFaults;
const lat = jobs.map((j) => received.get(j.delivery_id)! - producedAt.get(j.delivery_id)!).sort((a, b) => a - b);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
const result = {
  jobs: JOBS,
  webhooks: WEBHOOKS,
  receiver_delay_ms: DELAY_MS,
  produce_ms: producedMs,
  all_received_ms: deliveredMs,
  all_audited_ms: auditedMs,
  deliveries_per_s: Math.round((JOBS / deliveredMs) * 1000),
  worker_cpu_ms_per_delivery: Math.round((workerCpuMs / JOBS) * 1000) / 1000,
  worker_minor_faults_per_delivery: Math.round((workerFaults / JOBS) * 100) / 100,
  latency_ms: { p50: pct(50), p90: pct(90), p99: pct(99), max: lat[lat.length - 1] },
  // Measured after the run (the worker idle): what this machine was like, to compare runs by.
  machine_speed: machineSpeed(),
};
console.log(JSON.stringify(result));
if (process.env.BENCH_NODE_OPTIONS) {
  worker.child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 1000));
}
await worker.stop('SIGTERM');
await Promise.all([pg.drop(), kafka.close()]);
server.close();
