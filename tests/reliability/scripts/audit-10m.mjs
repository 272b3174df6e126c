#!/usr/bin/env node
// Storage growth: 10 million delivery_attempts rows (and 2.5 million deliveries, 4 attempts
// each) generated in a throwaway database with INSERT ... SELECT generate_series; then the
// gateway's history queries under EXPLAIN (ANALYZE, BUFFERS), and retention pruning of an
// expired slice while a writer keeps inserting. Merges `audit_10m` into
// tests/reliability/results/latest.json and drops the database.
//
//   node tests/reliability/scripts/audit-10m.mjs        (AUDIT_ATTEMPTS=10000000, PG_URL=postgres://postgres@127.0.0.1:5432/postgres)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, ensureDatabase } from '@hookstream/service-kit';
import { migrateLatest, pruneExpired } from '@hookstream/store';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.resolve(here, '../results/latest.json');
const ATTEMPTS = Number(process.env.AUDIT_ATTEMPTS ?? 10_000_000);
const PER_DELIVERY = 4;
const DELIVERIES = Math.floor(ATTEMPTS / PER_DELIVERY);
const TENANTS = 100;
const WEBHOOKS = 1000; // 10 per tenant
const DAYS = 60; // history spread over the last 60 days
const EXPIRE_AFTER_DAYS = 57; // the pruned slice: rows older than this (about 5 %)

const server = new URL(process.env.PG_URL ?? process.env.HOOKSTREAM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const name = `hs_audit10m_${Date.now().toString(36)}`;
server.pathname = `/${name}`;
const url = server.toString();
const log = (msg) => process.stderr.write(`[audit-10m] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const time = async (what, fn) => {
  const t0 = Date.now();
  const r = await fn();
  const ms = Date.now() - t0;
  log(`${what}: ${ms} ms`);
  return { r, ms };
};

/** Deterministic UUIDs from numbers, so the generated rows reference each other. */
const WRITER_NAME = 'hookstream-audit-writer';
let writerDb;
const uuidOf = (expr, salt) => `md5(${salt}::text || ':' || (${expr})::text)::uuid`;

async function main() {
  await ensureDatabase(url);
  const db = createDb(url, 6);
  const out = { attempts_rows: ATTEMPTS, deliveries_rows: DELIVERIES, tenants: TENANTS, webhooks: WEBHOOKS };
  try {
    await migrateLatest(db);
    await db.raw('SET synchronous_commit = off');
    // Deliveries: webhook w belongs to tenant w % TENANTS; created_at spread over DAYS.
    const gen = await time(`insert ${DELIVERIES} deliveries`, () =>
      db.raw(`
        INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, status, attempts, last_status_code, body, created_at, updated_at, finished_at, cycle)
        SELECT ${uuidOf('g', "'d'")}, ${uuidOf('(g % ' + WEBHOOKS + ') % ' + TENANTS, "'t'")}, 'evt-' || g, ${uuidOf('g % ' + WEBHOOKS, "'w'")},
               'replied-message', CASE WHEN g % 20 = 0 THEN 'discarded' ELSE 'delivered' END, ${PER_DELIVERY}, 200,
               jsonb_build_object('event_id', 'evt-' || g, 'type', 'replied-message', 'channels', jsonb_build_array('email')),
               now() - make_interval(secs => (g::double precision / ${DELIVERIES}) * ${DAYS} * 86400),
               now() - make_interval(secs => (g::double precision / ${DELIVERIES}) * ${DAYS} * 86400), now() - make_interval(secs => (g::double precision / ${DELIVERIES}) * ${DAYS} * 86400), 0
        FROM generate_series(1, ${DELIVERIES}) g`),
    );
    const genA = await time(`insert ${ATTEMPTS} delivery_attempts`, () =>
      db.raw(`
        INSERT INTO delivery_attempts (delivery_id, tenant_id, webhook_id, cycle, attempt, started_at, duration_ms, outcome, status_code)
        SELECT ${uuidOf('d', "'d'")}, ${uuidOf('(d % ' + WEBHOOKS + ') % ' + TENANTS, "'t'")}, ${uuidOf('d % ' + WEBHOOKS, "'w'")}, 0, a,
               now() - make_interval(secs => (d::double precision / ${DELIVERIES}) * ${DAYS} * 86400) + make_interval(secs => a),
               20 + (d % 200), CASE WHEN a < ${PER_DELIVERY} THEN 'http_error' ELSE 'delivered' END, CASE WHEN a < ${PER_DELIVERY} THEN 503 ELSE 200 END
        FROM generate_series(1, ${DELIVERIES}) d, generate_series(1, ${PER_DELIVERY}) a`),
    );
    await time('VACUUM ANALYZE', () => db.raw('VACUUM ANALYZE deliveries, delivery_attempts'));
    out.generate_ms = { deliveries: gen.ms, delivery_attempts: genA.ms };
    const size = await db.raw(
      `SELECT pg_size_pretty(pg_total_relation_size('deliveries')) AS deliveries, pg_size_pretty(pg_total_relation_size('delivery_attempts')) AS attempts`,
    );
    out.table_sizes = size.rows[0];

    // The gateway's history queries (apps/gateway/src/deliveries/delivery-history.ts), for a busy webhook.
    const tenant = (await db.raw(`SELECT ${uuidOf('7', "'t'")} AS id`)).rows[0].id;
    const webhook = (await db.raw(`SELECT ${uuidOf('7', "'w'")} AS id`)).rows[0].id;
    // A delivery of that webhook from the middle of the history (g % WEBHOOKS = 7).
    const someDelivery = (await db.raw(`SELECT ${uuidOf(String(Math.floor(DELIVERIES / 2 / WEBHOOKS) * WEBHOOKS + 7), "'d'")} AS id`)).rows[0].id;
    const eventIds = Array.from({ length: 5 }, (_, i) => (i + 1) * WEBHOOKS + 7);
    const queries = {
      'GET /v1/webhooks/{id}/deliveries (first page)': [
        `SELECT * FROM deliveries WHERE tenant_id = ? AND webhook_id = ? ORDER BY created_at DESC, id ASC LIMIT 51 OFFSET 0`,
        [tenant, webhook],
      ],
      'GET /v1/webhooks/{id}/deliveries?status=discarded&since=7d': [
        `SELECT * FROM deliveries WHERE tenant_id = ? AND webhook_id = ? AND status = 'discarded' AND created_at >= now() - interval '7 days' ORDER BY created_at DESC, id ASC LIMIT 51 OFFSET 0`,
        [tenant, webhook],
      ],
      'GET /v1/webhooks/{id}/deliveries (page 20)': [
        `SELECT * FROM deliveries WHERE tenant_id = ? AND webhook_id = ? ORDER BY created_at DESC, id ASC LIMIT 51 OFFSET 950`,
        [tenant, webhook],
      ],
      'GET /v1/deliveries/{id} (row)': [`SELECT * FROM deliveries WHERE tenant_id = ? AND id = ? LIMIT 1`, [tenant, someDelivery]],
      'GET /v1/deliveries/{id} (attempts)': [
        `SELECT cycle, attempt, started_at, duration_ms, outcome, status_code, error_class, error_message, response_excerpt FROM delivery_attempts WHERE delivery_id = ? AND tenant_id = ? ORDER BY cycle ASC, attempt ASC`,
        [someDelivery, tenant],
      ],
      'GET /v1/events/{id} (deliveries of an event)': [
        `SELECT * FROM deliveries WHERE id IN (${eventIds.map(() => '?').join(',')}) AND tenant_id = ?`,
        [...(await Promise.all(eventIds.map(async (g) => (await db.raw(`SELECT ${uuidOf(String(g), "'d'")} AS id`)).rows[0].id))), tenant],
      ],
    };
    out.queries = {};
    for (const [label, [sql, args]] of Object.entries(queries)) {
      const plan = (await db.raw(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, args)).rows[0]['QUERY PLAN'][0];
      const nodes = [];
      const walk = (n) => {
        nodes.push(n['Index Name'] ? `${n['Node Type']} using ${n['Index Name']}` : n['Node Type']);
        for (const c of n.Plans ?? []) walk(c);
      };
      walk(plan.Plan);
      const text = (await db.raw(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, args)).rows.map((r) => r['QUERY PLAN']).join('\n');
      out.queries[label] = {
        execution_ms: plan['Execution Time'],
        planning_ms: plan['Planning Time'],
        plan: nodes,
        seq_scan: nodes.some((n) => n.startsWith('Seq Scan')),
      };
      log(`${label}: ${plan['Execution Time']} ms\n${text}`);
    }

    // Retention, twice, while a writer keeps recording deliveries: the oldest slice as `hookstream
    // prune` does it (batches back to back), the next one as the gateway's schedule does it
    // (20 ms between batches). What the writer waited on is sampled from pg_stat_activity: a
    // Lock wait would mean pruning blocks writes; IO and WAL waits are the disk's share.
    // The writer has connections of its own, named, so its statements (COMMIT too) can be told apart.
    const writerUrl = new URL(url);
    writerUrl.searchParams.set('application_name', WRITER_NAME);
    writerDb = createDb(writerUrl.toString(), 2);
    const writer = startWriter(writerDb);
    await new Promise((r) => setTimeout(r, 3000));
    const baseline = writer.snapshot();
    const runs = [];
    for (const [style, days, pauseMs] of [
      ['cli, no pause', EXPIRE_AFTER_DAYS + 1.5, 0],
      ['gateway schedule, 20 ms pause', EXPIRE_AFTER_DAYS, 20],
    ]) {
      const olderThan = new Date(Date.now() - days * 86400_000);
      const expired = (
        await db.raw(
          `SELECT (SELECT count(*) FROM deliveries WHERE created_at < ?) AS deliveries, (SELECT count(*) FROM delivery_attempts WHERE started_at < ?) AS attempts`,
          [olderThan, olderThan],
        )
      ).rows[0];
      writer.reset();
      const waits = sampleWriterWaits(db);
      const prune = await time(`pruneExpired (${style})`, () => pruneExpired(db, { olderThan, batchSize: 5000, pauseMs }));
      runs.push({
        style,
        older_than_days: days,
        expired_rows: { deliveries: Number(expired.deliveries), delivery_attempts: Number(expired.attempts) },
        prune_ms: prune.ms,
        tables: prune.r,
        writer_insert_ms: writer.snapshot(),
        writer_wait_samples: await waits.stop(),
      });
    }
    await writer.stop();
    out.retention = { writer_insert_ms_before: baseline, runs };
    return out;
  } finally {
    await writerDb?.destroy();
    await db.destroy();
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const adb = createDb(admin.toString(), 1);
    await adb.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await adb.destroy();
  }
}

/**
 * Polls pg_stat_activity every 10 ms for the writer's statements in progress (its inserts and
 * commits) and counts what they were waiting on (`running` when not waiting), by wait event.
 */
function sampleWriterWaits(db) {
  const counts = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await db.raw(
        `SELECT coalesce(wait_event_type, 'running') AS type, wait_event FROM pg_stat_activity
         WHERE application_name = ? AND state = 'active'`,
        [WRITER_NAME],
      );
      for (const r of rows) {
        const key = r.wait_event ? `${r.type}:${r.wait_event}` : r.type;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const lock = Object.entries(counts)
        .filter(([k]) => k.startsWith('Lock'))
        .reduce((n, [, v]) => n + v, 0);
      return { lock_waits: lock, by_event: counts };
    },
  };
}

/** Inserts a delivery and its attempt every few milliseconds (as the worker's audit does) and times each insert. */
function startWriter(db) {
  let samples = [];
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      n++;
      const t0 = performance.now();
      await db.transaction(async (tx) => {
        const id = (await tx.raw(`SELECT md5('live:' || ?::text || clock_timestamp()::text)::uuid AS id`, [n])).rows[0].id;
        await tx('deliveries').insert({
          id,
          tenant_id: '00000000-0000-4000-8000-000000000001',
          event_id: `live-${n}`,
          webhook_id: '00000000-0000-4000-8000-000000000002',
          event_type: 'replied-message',
          status: 'delivered',
          attempts: 1,
          body: {},
        });
        await tx('delivery_attempts').insert({
          delivery_id: id,
          tenant_id: '00000000-0000-4000-8000-000000000001',
          webhook_id: '00000000-0000-4000-8000-000000000002',
          cycle: 0,
          attempt: 1,
          started_at: new Date(),
          duration_ms: 5,
          outcome: 'delivered',
          status_code: 200,
        });
      });
      samples.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const stat = () => {
    const s = [...samples].sort((a, b) => a - b);
    const at = (q) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] * 10) / 10 : 0);
    return { inserts: s.length, p50: at(0.5), p99: at(0.99), max: s.length ? Math.round(s[s.length - 1] * 10) / 10 : 0 };
  };
  return {
    snapshot: stat,
    reset: () => (samples = []),
    async stop() {
      running = false;
      await loop;
    },
  };
}

const result = await main();
let current = { faults: [] };
try {
  current = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
} catch {
  // first results of this checkout
}
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.writeFileSync(
  resultsFile,
  `${JSON.stringify({ ...current, faults: current.faults ?? [], audit_10m: result, updated_at: new Date().toISOString() }, null, 2)}\n`,
);
log(`audit_10m written to ${resultsFile}`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
