#!/usr/bin/env node
// End-to-end matcher throughput through the real broker and PostgreSQL: a scratch database with
// 100 tenants x 1,000 webhooks, N events on a scratch topic set, the compiled matcher as its own
// process; the rate is events committed per second once it is consuming, the cost the matcher's
// CPU time (from /proc) over the same span divided by the events committed in it.
//   KAFKA_BROKERS=127.0.0.1:9092 BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres \
//   npm run build && npm run matcher:e2e -w @hookstream/bench -- [--events=20000] [--profile=DIR] [--json]
// --profile=DIR writes the matcher's CPU profile there (read it with bench/dist/tools/profile-top.js).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createDb, createKafka, createLogger, ensureDatabase, ensureTopics, Publisher, topicNames, topicSpecs } from '@hookstream/service-kit';
import { migrateLatest } from '@hookstream/store';
import { repoRoot } from '@hookstream/test-kit';
import { encodeEventRecord } from '@hookstream/schemas';
import { cpuSeconds } from '../cpu.js';
import { DEFAULT_SHAPE, sampleEvents, tenantIds, webhookRecords } from './workload.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const EVENTS = Number(args.get('events') ?? 20_000);
const profileDir = args.get('profile');
const json = args.has('json');
const PARTITIONS = 6;
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const server = new URL(process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const name = `hs_bench_${Date.now().toString(36)}`;
const dbUrl = new URL(server);
dbUrl.pathname = `/${name}`;
const prefix = `bench-${Date.now().toString(36)}.`;
const topics = topicNames(prefix);
const log = (s: string) => process.stdout.write(s + '\n');

const kafka = createKafka({ brokers: brokers.split(','), clientId: 'matcher-e2e-bench', logger: createLogger('bench', 'error') });
const admin = kafka.admin();
await admin.connect();
await ensureDatabase(dbUrl.toString());
const db = createDb(dbUrl.toString(), 4);
let child: ReturnType<typeof spawn> | undefined;
try {
  await migrateLatest(db);
  const t0 = performance.now();
  const tenants = tenantIds(DEFAULT_SHAPE);
  await db('tenants').insert(tenants.map((id, i) => ({ id, name: `bench ${i}`, api_key_hash: `bench-${id}`, api_key_hint: 'bench' })));
  const records = webhookRecords(DEFAULT_SHAPE);
  for (let i = 0; i < records.length; i += 5000) {
    await db('webhooks').insert(
      records.slice(i, i + 5000).map((r) => ({
        id: r.id,
        tenant_id: r.tenantId,
        kind: r.kind,
        enabled: true,
        buggy: false,
        object: r.object,
        spec: JSON.stringify(r.spec),
        fingerprint: r.fingerprint,
      })),
    );
  }
  log(`seeded ${records.length} webhooks of ${tenants.length} tenants in ${Math.round(performance.now() - t0)} ms`);

  await ensureTopics(
    admin,
    topicSpecs({
      KAFKA_TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS_EVENTS: PARTITIONS,
      TOPIC_PARTITIONS_DELIVERIES: PARTITIONS,
      TOPIC_PARTITIONS_RETRY: 1,
      TOPIC_PARTITIONS_DLQ: 1,
    }),
  );
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const publisher = new Publisher(producer);
  const events = sampleEvents(EVENTS, DEFAULT_SHAPE, 11);
  for (let i = 0; i < events.length; i += 1000) {
    await publisher.publish([{ topic: topics.events, messages: events.slice(i, i + 1000).map((e) => encodeEventRecord(e, { validated: true })) }]);
  }
  await producer.disconnect();
  log(`published ${EVENTS} events on ${PARTITIONS} partitions`);

  const groupId = `${prefix}matcher`;
  const entry = path.join(repoRoot(), 'apps', 'matcher', 'dist', 'main.js');
  const tStart = performance.now();
  let indexBuiltAt = 0;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  child = spawn(process.execPath, [...nodeArgs, entry], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: dbUrl.toString(),
      MATCHER_GROUP_ID: groupId,
      OPS_PORT: '0',
      LOG_LEVEL: 'info',
      TOPIC_PARTITIONS_EVENTS: String(PARTITIONS),
      TOPIC_PARTITIONS_DELIVERIES: String(PARTITIONS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.on('data', (b: Buffer) => {
    if (!indexBuiltAt && b.toString().includes('subscription index built')) indexBuiltAt = performance.now();
  });

  const committed = async () => {
    const o = await admin.fetchOffsets({ groupId, topics: [topics.events] });
    return o[0]!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  };
  let firstAt = 0;
  let firstCount = 0;
  let firstCpu = 0;
  for (;;) {
    const n = await committed();
    if (!firstAt && n > 0) {
      firstAt = performance.now();
      firstCount = n;
      firstCpu = cpuSeconds(child.pid) ?? NaN;
    }
    if (n >= EVENTS) break;
    if (performance.now() - tStart > 300_000) throw new Error(`only ${n} of ${EVENTS} events committed after 300 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const doneAt = performance.now();
  const cpuMsPerEvent = (((cpuSeconds(child.pid) ?? NaN) - firstCpu) * 1000) / (EVENTS - firstCount);
  const jobs = (await admin.fetchTopicOffsets(topics.deliveries)).reduce((n, p) => n + Number(p.high), 0);
  const rate = (EVENTS - firstCount) / ((doneAt - firstAt) / 1000);
  log(`matcher start to index built (${records.length} webhooks loaded from PostgreSQL): ${Math.round(indexBuiltAt - tStart)} ms`);
  log(
    `end to end (Kafka in, event index in PostgreSQL, jobs acknowledged, offsets committed): ${Math.round(rate)} events/s, ${Math.round((rate * jobs) / EVENTS)} jobs/s`,
  );
  log(`matcher CPU while consuming: ${cpuMsPerEvent.toFixed(3)} ms per event (user + system, /proc)`);
  log(
    `${jobs} jobs for ${EVENTS} events (mean fan-out ${(jobs / EVENTS).toFixed(2)}); all ${EVENTS} committed ${Math.round(doneAt - tStart)} ms after the process started`,
  );
  if (json) {
    const result = {
      events_per_s: Math.round(rate),
      jobs_per_s: Math.round((rate * jobs) / EVENTS),
      cpu_ms_per_event: Number(cpuMsPerEvent.toFixed(3)),
      index_build_ms: Math.round(indexBuiltAt - tStart),
      mean_fanout: Number((jobs / EVENTS).toFixed(2)),
    };
    log(JSON.stringify(result));
  }
} finally {
  child?.kill('SIGTERM');
  if (child) await new Promise((r) => child!.once('exit', r));
  await db.destroy();
  const serverDb = createDb(server.toString(), 1);
  await serverDb.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await serverDb.destroy();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
}
