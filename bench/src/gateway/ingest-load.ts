#!/usr/bin/env node
// Single-event ingest under a real load generator: autocannon drives POST /v1/events of one
// gateway process (real PostgreSQL, real broker) at 8 and at 64 connections, and the same load
// against a bare node:http server in its own process, the ceiling of one HTTP hop on this
// machine. Reports req/s, p50/p99, the ratio to the bare server, the gateway's CPU per request
// and its ingest steps (claim, produce, confirm); then reads the events topic back to check that
// every event answered 202 is in Kafka. Writes bench/results/ingest.json.
//   npm run build && npm run gateway:ingest-load -w @hookstream/bench -- [--seconds=10] [--connections=8,64]
// Needs a built tree and the broker on KAFKA_BROKERS (default 127.0.0.1:9092).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

// Set before test-kit is loaded: it reads them when imported.
process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const { createTestDatabase, createTestKafka, startApp } = await import('@hookstream/test-kit');
const { fixtures } = await import('@hookstream/schemas');

/** User and system CPU seconds of a live process, from /proc (undefined if unreadable). */
function cpuTimes(pid: number | undefined): { user: number; system: number } | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return undefined;
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const seconds = Number(option('seconds') ?? 10);
const connectionCounts = (option('connections') ?? '8,64').split(',').map(Number);
const warmupSeconds = Number(option('warmup') ?? 3);
const output = option('out') ?? path.join(here, '..', '..', 'results', 'ingest.json');

interface Load {
  connections: number;
  requests: number;
  requests_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  errors: number;
  cpu_ms_per_request: number | undefined;
  /** The part of it spent in the kernel (system calls, network stack). */
  system_cpu_share: number | undefined;
}

/** Starts the bare server (bare-http-server.js beside this file) and resolves with its port. */
async function startBareServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(here, 'bare-http-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server exited (${code}) during start`)));
    child.stdout!.once('data', (b: Buffer) => resolve((JSON.parse(b.toString('utf8')) as { port: number }).port));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** One autocannon run; every request carries a new event id, and the ids answered 202 go to `accepted`. */
async function drive(
  url: string,
  pid: number | undefined,
  connections: number,
  duration: number,
  headers: Record<string, string>,
  template: string,
  accepted?: Set<string>,
): Promise<Load> {
  const cpuBefore = cpuTimes(pid);
  const result = await autocannon({
    url: `${url}/v1/events`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers,
        setupRequest: (request) => ({ ...request, body: template.replace('__ID__', randomUUID()) }),
        ...(accepted
          ? {
              onResponse: (status: number, body: string) => {
                if (status === 202) accepted.add((JSON.parse(body) as { id: string }).id);
              },
            }
          : {}),
      },
    ],
  });
  const cpuAfter = cpuTimes(pid);
  const used = cpuBefore && cpuAfter ? { user: cpuAfter.user - cpuBefore.user, system: cpuAfter.system - cpuBefore.system } : undefined;
  const answered = result['2xx'];
  return {
    connections,
    requests: result.requests.total,
    requests_per_s: Math.round(result.requests.total / result.duration),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpu_ms_per_request: used && answered > 0 ? round(((used.user + used.system) * 1000) / answered, 3) : undefined,
    system_cpu_share: used && used.user + used.system > 0 ? round(used.system / (used.user + used.system)) : undefined,
  };
}

/** The gateway's ingest step histogram: seconds summed and counted per step. */
async function ingestSteps(baseUrl: string): Promise<Map<string, { sum: number; count: number }>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const steps = new Map<string, { sum: number; count: number }>();
  for (const m of text.matchAll(/^hookstream_gateway_ingest_step_seconds_(sum|count)\{[^}]*step="(\w+)"[^}]*\} ([\d.e+-]+)$/gm)) {
    const entry = steps.get(m[2]!) ?? { sum: 0, count: 0 };
    entry[m[1] as 'sum' | 'count'] = Number(m[3]);
    steps.set(m[2]!, entry);
  }
  return steps;
}

function stepMeans(before: Map<string, { sum: number; count: number }>, after: Map<string, { sum: number; count: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [step, a] of after) {
    const b = before.get(step) ?? { sum: 0, count: 0 };
    if (a.count > b.count) out[`${step}_mean_ms`] = round(((a.sum - b.sum) * 1000) / (a.count - b.count), 2);
  }
  return out;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

const [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka({ partitions: 3 })]);
const admin = `admin-${randomBytes(12).toString('hex')}`;
const gateway = await startApp('gateway', {
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
const bare = await startBareServer();

try {
  const tenant = (await (
    await fetch(`${gateway.baseUrl}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    })
  ).json()) as { api_key: string };
  const headers = { authorization: `Bearer ${tenant.api_key}`, 'content-type': 'application/cloudevents+json' };
  const { tenantid: _tenant, ...event } = fixtures.envelope('replied-message', undefined, { id: '__ID__' });
  const template = JSON.stringify(event);
  const accepted = new Set<string>();
  console.log(JSON.stringify({ seconds, connections: connectionCounts, cpus: cpus().length, loadavg_1m: round(loadavg()[0]!), event_bytes: template.length }));

  // JIT, connection pools and the API key cache warm before anything is measured.
  await drive(bare.url, undefined, 8, warmupSeconds, headers, template);
  await drive(gateway.baseUrl, undefined, 8, warmupSeconds, headers, template, accepted);

  const runs = [];
  for (const connections of connectionCounts) {
    const bareLoad = await drive(bare.url, bare.child.pid, connections, seconds, headers, template);
    const stepsBefore = await ingestSteps(gateway.opsUrl);
    const gatewayLoad = await drive(gateway.baseUrl, gateway.child.pid, connections, seconds, headers, template, accepted);
    const steps = stepMeans(stepsBefore, await ingestSteps(gateway.opsUrl));
    const run = { connections, gateway: { ...gatewayLoad, steps }, bare: bareLoad, ratio: round(gatewayLoad.requests_per_s / bareLoad.requests_per_s, 3) };
    console.log(JSON.stringify(run));
    runs.push(run);
  }

  // Speed must never hide loss: every id answered 202 has to be in the events topic.
  const collector = await kafka.consume(kafka.topics.events);
  const seen = new Set<string>();
  const deadline = Date.now() + 60_000;
  let missing = [...accepted];
  while (missing.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    for (const m of collector.messages.splice(0)) seen.add((JSON.parse(m.value!.toString('utf8')) as { id: string }).id);
    missing = missing.filter((id) => !seen.has(id));
  }
  await collector.stop();
  const kafkaCheck = { accepted_202: accepted.size, in_topic: accepted.size - missing.length, missing: missing.length };
  console.log(JSON.stringify({ kafka: kafkaCheck }));

  const report = { at: new Date().toISOString(), seconds, cpus: cpus().length, loadavg_1m: round(loadavg()[0]!), runs, kafka: kafkaCheck };
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written ${path.relative(process.cwd(), output)}`);
  if (missing.length > 0) process.exitCode = 1;
} finally {
  bare.child.kill('SIGTERM');
  await gateway.stop('SIGTERM');
  await Promise.all([pg.drop(), kafka.close()]);
}
