#!/usr/bin/env node
// npm run bench [-- --duration 60]: the pipeline against this machine's own ceilings.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { createKafka, createLogger, ensureTopics } from '@hookstream/service-kit';
import { GatewayClient, repoRoot, startPrivateCluster, startReceiver, startSystem, uniqueId, type PrivateCluster, type Receiver } from '@hookstream/test-kit';
import { httpCeilingGot, httpCeilingUndici, type HttpCeiling } from './ceiling-http.js';
import { kafkaCeiling } from './ceiling-kafka.js';
import { fanoutBursts, type FanoutBurst } from './fanout.js';
import { latencyBreakdown } from './breakdown.js';
import { HttpPublisher } from './publisher.js';
import { latencyAt, repliedMessage, sustainedRate, type LatencyResult, type PipelineResult } from './pipeline.js';
import { brokerPid } from './broker-pid.js';
import { cpuSeconds } from './cpu.js';
import { cpuBudget } from './cpu-budget.js';
import { cpuSnapshot, cpuUsed, msPerEvent, type MeteredProcesses } from './cpu-meter.js';
import { idleCost, type IdleResult } from './idle.js';
import { steadyLoad, type SteadyResult } from './steady.js';
import { errorLines, type ErrorLines } from './error-lines.js';
import { peakRssMb } from './rss.js';
import { round } from './stats.js';
import { machineSpeed, type MachineSpeed } from './machine-speed.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} expects a positive number, got ${process.argv[i + 1] ?? 'nothing'}`);
  return value;
};
const duration = arg('duration', 60);
const phase = Math.max(2, Math.floor(duration / 6));
// The worker calls one endpoint with at most the webhook's max_in_flight requests at once:
// the bench webhooks set it to this value and ceiling A uses the same concurrency.
const concurrency = arg('concurrency', 32);
// 6 is the apps' default. Until 2026-12-06 the bench asked for 4, but the apps grew every
// topic to their own 6 at start: all earlier results ran on 6 partitions whatever they recorded.
const partitions = arg('partitions', 6);
const strArg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
// --trace-latency <file>: one line per latency-phase event, `sent published produced received` (ms since the epoch).
// --profile <dir>: every app runs with the CPU profiler preloaded (tools/cpu-profiler.ts); profiles land in <dir>/<app>.cpuprofile
// (summarise them with `node bench/dist/tools/profile-top.js <dir>`).
const profileDir = strArg('profile') ? path.resolve(strArg('profile')!) : undefined;
// --steady-seconds 600: the steady phase's length (the issue's 10-minute measurement); --steady-rate its rate.
const steadySeconds = arg('steady-seconds', phase * 2);
const steadyRate = arg('steady-rate', 300);
// --idle-seconds N: how long the idle phase watches the system with no traffic.
const idleSeconds = arg('idle-seconds', 30);
// --idle-settle-seconds N: wait after the last phase's traffic before the idle phase measures. The apps' last
// commits and flushes end in the first seconds; V8's memory reducer then collects the heap the load grew,
// once (up to three GCs, 0.5-25 s apart; the worker: 150-450 ms of CPU, ~85 MiB given back). It starts
// when V8 sees the allocation rate fall, or else by its watchdog, 100 s after the last major GC
// (kWatchdogDelayMs in V8's memory-reducer.cc), which the load ran at the latest: its last GC came
// 30-117 s after the traffic stopped in the runs of 2026-12-07. 150 s puts that one-off before the
// phase; the settle's own CPU is reported next to the idle figures.
const idleSettleSeconds = arg('idle-settle-seconds', 150);
// --phases pipeline,latency: run a subset (results then go to bench/results/partial.json).
const ALL_PHASES = ['ceilings', 'pipeline', 'latency', 'fanout', 'steady', 'idle'] as const;
const phases = new Set((strArg('phases') ?? ALL_PHASES.join(',')).split(','));
const unknownPhases = [...phases].filter((p) => !(ALL_PHASES as readonly string[]).includes(p));
if (unknownPhases.length > 0) throw new Error(`--phases: unknown ${unknownPhases.join(', ')} (known: ${ALL_PHASES.join(', ')})`);
const complete = ALL_PHASES.every((p) => phases.has(p));
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

// --brokers 3: the same run on a cluster of that many KRaft nodes of its own (infra/kafka --brokers,
// clients from --cluster-port, default 19361), topics replicated as the cluster says (min(3, N),
// min.insync.replicas 2 from three); results in bench/results/latest-brokers-<N>.json.
const brokerCount = arg('brokers', 1);
if (!Number.isInteger(brokerCount) || brokerCount > 9) throw new Error(`--brokers expects a whole number from 1 to 9, got ${brokerCount}`);
const clusterPort = arg('cluster-port', 19361);

const root = repoRoot();
let startedKafka = false;
let cluster: PrivateCluster | undefined;
if (brokerCount > 1) {
  log(`starting a cluster of ${brokerCount} KRaft nodes on 127.0.0.1:${clusterPort}-${clusterPort + brokerCount - 1}`);
  cluster = await startPrivateCluster({ port: clusterPort, brokers: brokerCount });
  process.env.KAFKA_BROKERS = cluster.brokers.join(',');
} else if (!process.env.KAFKA_BROKERS) {
  const out = execFileSync(process.execPath, [path.join(root, 'infra/kafka/kafka.mjs'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(out.trim().split('\n').pop()!) as { brokers: string; started: boolean };
  process.env.KAFKA_BROKERS = info.brokers;
  startedKafka = info.started;
}
process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

// What the machine was like (its speed swings between hours): before the run and after it.
log('machine speed: a system call, a page fault, a JavaScript loop');
const speedAtStart = machineSpeed();
const receiver = await startReceiver();
const sample = JSON.stringify(repliedMessage('tenant').data);
try {
  let undici: HttpCeiling = { per_s: NaN, cpu_ms_per_request: NaN };
  let gotCeiling: HttpCeiling = { per_s: NaN, cpu_ms_per_request: NaN };
  let kafkaPerS = NaN;
  if (phases.has('ceilings')) {
    log(`ceiling A: undici Pool.request -> receiver, concurrency ${concurrency}, ${phase} s`);
    undici = await httpCeilingUndici(receiver, sample, concurrency, phase);
    forget(receiver);
    log(`ceiling A (got): got -> receiver, concurrency ${concurrency}, ${phase} s`);
    gotCeiling = await httpCeilingGot(receiver, sample, concurrency, phase);
    forget(receiver);

    log(`ceiling B: kafkajs relay through two topics (${partitions} partitions), ${phase} s`);
    const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS.split(','), clientId: 'bench', logger: createLogger('bench', 'error') });
    const admin = kafka.admin();
    await admin.connect();
    const prefix = `${uniqueId('bench')}.`;
    const relayTopics: [string, string] = [`${prefix}a`, `${prefix}b`];
    await ensureTopics(
      admin,
      relayTopics.map((topic) => ({ topic, numPartitions: partitions })),
    );
    kafkaPerS = await kafkaCeiling(kafka, relayTopics, JSON.stringify(repliedMessage('tenant')), phase);
    await admin.deleteTopics({ topics: relayTopics }).catch(() => undefined);
    await admin.disconnect();
  }

  log('starting gateway, matcher and delivery worker as separate processes');
  const profilerPreload = new URL('./tools/cpu-profiler.js', import.meta.url).pathname;
  const system = await startSystem({
    partitions,
    env: {
      // The matcher's default group id is shared by every matcher on the broker whatever its topic
      // prefix: other systems' matchers joining and leaving (tests on this machine) would
      // rebalance the benchmark's matcher. The worker's group is per prefix already.
      MATCHER_GROUP_ID: `${uniqueId('bench')}.matcher`,
      // --app-env K=V,K=V: settings for the apps (to compare a setting's effect).
      ...Object.fromEntries(
        (strArg('app-env') ?? '')
          .split(',')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ),
      ...(profileDir ? { NODE_OPTIONS: `--import=${profilerPreload}`, HOOKSTREAM_CPU_PROFILE_DIR: profileDir } : {}),
    },
  });
  const pids = new Map<number, string>();
  const publishers: HttpPublisher[] = [];
  try {
    const setup = async (name: string, endpoints: string[]) => {
      const tenant = await system.admin.createTenant(name);
      const api = new GatewayClient(system.gateway.baseUrl, tenant.api_key);
      for (const p of endpoints) {
        await api.createWebhook({
          enabled: true,
          endpoint: `${receiver.url}${p}`,
          auth_type: 'partner_secret_token',
          auth_config: { token: 'bench-token-0123456789' },
          retry_base: 1,
          retry_max_count: 5,
          max_in_flight: concurrency,
          registered_events: { email: ['replied-message'], 'in-app': [] },
        });
      }
      const pub = new HttpPublisher(system.gateway.baseUrl, tenant.api_key);
      publishers.push(pub);
      return { tenant, api, pub };
    };
    const p = await setup('bench-pipeline', ['/pipeline']);
    const l = await setup('bench-latency', ['/latency']);
    const s = await setup('bench-steady', ['/steady']);
    const f = await setup(
      'bench-fanout',
      Array.from({ length: 100 }, (_, i) => `/fanout/${i}`),
    );
    await new Promise((r) => setTimeout(r, 1500)); // webhooks reach the matcher's index

    for (const a of [system.gateway, ...system.matchers, ...system.workers]) if (a.child.pid) pids.set(a.child.pid, a.name);

    const apps = { gateway: system.gateway, matcher: system.matchers[0], 'delivery-worker': system.workers[0] };
    // What each process printed at error level from its start until it was ready (a healthy start prints nothing).
    const startErrors: Record<string, ErrorLines> = Object.fromEntries(Object.entries(apps).map(([k, a]) => [k, errorLines(a?.startOutput() ?? [])]));
    const broker = cluster ? undefined : brokerPid(process.env.KAFKA_BROKERS);
    const brokerPids = cluster ? cluster.nodes.flatMap((n) => n.pid() ?? []) : broker !== undefined ? [broker] : [];
    if (brokerPids.length === 0) log(`no kafka.Kafka process found listening on ${process.env.KAFKA_BROKERS}: the Kafka share is missing`);
    // PostgreSQL backends serving this system's database, and the broker (shared with whatever
    // else uses it at the time, so an upper bound).
    const metered: MeteredProcesses = {
      apps: Object.fromEntries(Object.entries(apps).map(([k, a]) => [k, a?.child.pid])),
      pgBackends: async () =>
        ((await system.pg.db.raw('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')) as { rows: { pid: number }[] }).rows.map((r) => r.pid),
      brokerPids,
    };
    const none: PipelineResult = { accepted_per_s: NaN, delivered_per_s: NaN, accepted: 0, delivered: 0, lost: 0, duplicated: 0 };
    let sustained = none;
    let cpuPerEvent: Record<string, number | undefined> = {};
    if (phases.has('pipeline')) {
      log(`pipeline: maximum sustained rate, ${phase * 2} s`);
      const before = await cpuSnapshot(metered);
      sustained = await sustainedRate(p.pub, p.tenant.id, receiver, '/pipeline', phase * 2);
      forget(receiver);
      // CPU ms per delivered event, per process: a cost that other load on the machine barely changes.
      cpuPerEvent = msPerEvent(cpuUsed(before, await cpuSnapshot(metered)).seconds, sustained.delivered);
    }
    const budget = phases.has('pipeline') ? cpuBudget(cpuPerEvent, os.cpus().length) : undefined;
    const half = Math.max(10, Math.round((sustained.delivered_per_s || arg('latency-rate', 500) * 2) / 2));
    let latency: LatencyResult = { rate_per_s: half, events: 0, p50_ms: NaN, p95_ms: NaN, p99_ms: NaN, lost: 0, sentAt: new Map() };
    let latencyLoad: Record<string, number> | undefined;
    let breakdown: Awaited<ReturnType<typeof latencyBreakdown>> | undefined;
    if (phases.has('latency')) {
      log(`pipeline: latency at ${half} events/s (about half the maximum), ${phase * 2} s`);
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const cpu0 = process.cpuUsage();
      const wall0 = Date.now();
      const appCpu0 = Object.fromEntries(Object.entries(apps).map(([k, a]) => [k, cpuSeconds(a?.child.pid) ?? 0]));
      latency = await latencyAt(l.pub, l.tenant.id, receiver, '/latency', half, phase * 2);
      loop.disable();
      const cpu = process.cpuUsage(cpu0);
      const wallS = (Date.now() - wall0) / 1000;
      latencyLoad = {
        bench_cpu_share: round((cpu.user + cpu.system) / 1e6 / wallS, 2),
        bench_event_loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 1),
        ...Object.fromEntries(Object.entries(apps).map(([k, a]) => [`${k}_cpu_share`, round(((cpuSeconds(a?.child.pid) ?? 0) - appCpu0[k]!) / wallS, 2)])),
      };
      breakdown = await latencyBreakdown(system.kafka, l.tenant.id, latency.sentAt, receiver, '/latency', strArg('trace-latency'));
      forget(receiver);
      if (process.argv.includes('--dump-metrics')) {
        // Development aid: the apps' own timing histograms after the latency phase.
        for (const a of [system.gateway, ...system.matchers, ...system.workers]) {
          const text = await (await fetch(`${a.opsUrl}/metrics`)).text();
          log(
            `${a.name} metrics:\n${text
              .split('\n')
              .filter((line) =>
                /^hookstream_(worker_attempt_duration|matcher_slice_duration|matcher_step_duration|matcher_fetch_age|matcher_fetch_lingers|matcher_events_consumed|gateway_ingest_step|gateway_http_request_duration_seconds_(sum|count)|worker_in_flight|worker_call_limit|consumer_lag)/.test(
                  line,
                ),
              )
              .join('\n')}`,
          );
        }
      }
    }
    let fan: FanoutBurst & { webhooks: number; warmup?: FanoutBurst } = {
      webhooks: 100,
      events: 0,
      deliveries: 0,
      deliveries_per_s: NaN,
      published_ms: NaN,
      first_receipt_ms: NaN,
      last_receipt_ms: NaN,
    };
    let fanCpu: Record<string, number | undefined> = {};
    if (phases.has('fanout')) {
      log('fan-out: one event to 100 webhooks');
      const burst = fanoutBursts(f.pub, f.tenant.id, receiver, 100);
      const events = Math.max(5, phase);
      // The first fan-out to these webhooks is a warm-up (see fanoutBursts); the second is the figure.
      // Half as many events as the figure's (a tenth until 2026-12-07): on fresh processes, after a
      // 10-event warm-up the worker still spent about half as much again CPU per delivery in the
      // measured burst as after 50 (.177/.225/.261 against .105/.151/.167 ms, pairs alternated),
      // its heap still growing (about 2 minor faults per delivery, against under 1 after 50 events):
      // what a just-started process does once. --fanout-warmup-events N to compare.
      const warmup = await burst(arg('fanout-warmup-events', Math.max(2, Math.round(events / 2))));
      const before = await cpuSnapshot(metered);
      fan = { webhooks: 100, ...(await burst(events)), warmup };
      // Which process a fan-out costs most (rates swing with the machine's load, this much less).
      fanCpu = msPerEvent(cpuUsed(before, await cpuSnapshot(metered)).seconds, fan.deliveries);
      forget(receiver);
    }

    let steady: SteadyResult | undefined;
    if (phases.has('steady')) {
      log(`steady: ${steadyRate} events/s for ${steadySeconds} s`);
      steady = await steadyLoad(s.pub, s.tenant.id, receiver, '/steady', steadyRate, steadySeconds, metered);
      forget(receiver);
    }
    let idle: IdleResult | undefined;
    if (phases.has('idle')) {
      log(`idle: no traffic, ${idleSettleSeconds} s settle + ${idleSeconds} s`);
      idle = await idleCost(metered, idleSeconds, idleSettleSeconds * 1000);
    }

    const rss = {
      gateway: peakRssMb(system.gateway.child.pid),
      matcher: peakRssMb(system.matchers[0]?.child.pid),
      'delivery-worker': peakRssMb(system.workers[0]?.child.pid),
    };
    const steadyLost = steady?.lost ?? 0;
    const steadyDuplicated = steady?.duplicated ?? 0;
    const speedAtEnd = machineSpeed();
    const results = {
      at: new Date().toISOString(),
      machine: { cores: os.cpus().length, node: process.version, speed_at_start: speedAtStart, speed_at_end: speedAtEnd },
      settings: {
        duration_s: duration,
        phase_s: phase,
        concurrency,
        partitions,
        steady_rate_per_s: steadyRate,
        steady_s: steadySeconds,
        idle_s: idleSeconds,
        idle_settle_s: idleSettleSeconds,
      },
      kafka: { brokers: brokerCount, bootstrap: process.env.KAFKA_BROKERS },
      pipeline: {
        accepted_per_s: round(sustained.accepted_per_s),
        delivered_per_s: round(sustained.delivered_per_s),
        accepted: sustained.accepted,
        delivered: sustained.delivered,
        latency_rate_per_s: latency.rate_per_s,
        p50_ms: latency.p50_ms,
        p95_ms: latency.p95_ms,
        p99_ms: latency.p99_ms,
        // Over the sustained, latency and steady phases.
        lost: sustained.lost + latency.lost + steadyLost,
        duplicated: sustained.duplicated + steadyDuplicated,
        latency_breakdown: breakdown,
        latency_phase_load: latencyLoad,
        cpu_ms_per_event: cpuPerEvent,
      },
      ceilings: {
        http_undici_per_s: round(undici.per_s),
        http_got_per_s: round(gotCeiling.per_s),
        kafka_per_s: round(kafkaPerS),
        // The bench process's CPU (client + receiver) per request: what each client costs, whatever the load.
        http_undici_cpu_ms_per_request: round(undici.cpu_ms_per_request, 3),
        http_got_cpu_ms_per_request: round(gotCeiling.cpu_ms_per_request, 3),
      },
      // Against the physical single-hop limit (undici); the old denominator, min(got, Kafka), beside it.
      ratio_to_ceiling: round(sustained.delivered_per_s / undici.per_s, 3),
      ratio_to_got_kafka_ceiling: round(sustained.delivered_per_s / Math.min(gotCeiling.per_s, kafkaPerS), 3),
      cpu_budget: budget,
      steady,
      idle,
      fanout: {
        webhooks: fan.webhooks,
        events: fan.events,
        deliveries: fan.deliveries,
        deliveries_per_s: round(fan.deliveries_per_s),
        published_ms: fan.published_ms,
        first_receipt_ms: fan.first_receipt_ms,
        last_receipt_ms: fan.last_receipt_ms,
        warmup: fan.warmup ? { ...fan.warmup, deliveries_per_s: round(fan.warmup.deliveries_per_s) } : undefined,
        cpu_ms_per_delivery: Object.fromEntries(Object.entries(fanCpu).map(([k, v]) => [k, v === undefined ? undefined : round(v, 3)])),
      },
      rss_mb: rss,
      start_error_lines: startErrors,
      // Error-level lines over the whole run, up to now (a busy machine may legitimately cause some: timeouts, retries).
      run_error_lines: Object.fromEntries(Object.entries(apps).map(([k, a]) => [k, errorLines(a?.output() ?? []).count])),
    };
    const dir = path.join(root, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const out = `${complete ? 'latest' : 'partial'}${brokerCount > 1 ? `-brokers-${brokerCount}` : ''}.json`;
    fs.writeFileSync(path.join(dir, out), JSON.stringify(results, null, 2) + '\n');
    const list = (o: Record<string, unknown>, unit = '') =>
      Object.entries(o)
        .map(([k, v]) => `${k} ${v ?? '?'}${unit}`)
        .join(', ');
    const speed = (m: MachineSpeed) => `syscall ${m.syscall_us} us, page fault ${m.page_fault_us} us, JS loop ${m.js_loop_ns} ns`;
    const rows: [string, string][] = [
      ['machine speed at start / end', `${speed(speedAtStart)} / ${speed(speedAtEnd)}`],
      [
        'ceiling A: raw HTTP (undici Pool -> receiver)',
        `${results.ceilings.http_undici_per_s} req/s (${results.ceilings.http_undici_cpu_ms_per_request} ms CPU per request, client + receiver)`,
      ],
      ['ceiling A with got (-> receiver)', `${results.ceilings.http_got_per_s} req/s (${results.ceilings.http_got_cpu_ms_per_request} ms CPU per request)`],
      ['ceiling B: raw Kafka relay (2 topics)', `${results.ceilings.kafka_per_s} msg/s`],
      ['pipeline accepted', `${results.pipeline.accepted_per_s} events/s`],
      ['pipeline delivered', `${results.pipeline.delivered_per_s} events/s`],
      ['ratio to ceiling A (undici)', `${results.ratio_to_ceiling}  (to min(got, Kafka): ${results.ratio_to_got_kafka_ceiling})`],
      ...(budget
        ? ([
            [
              `CPU budget: ${budget.cores} cores / ${budget.total_ms_per_event} ms per event`,
              `${budget.events_per_s} events/s${budget.missing.length ? ` (not measured: ${budget.missing.join(', ')})` : ''}`,
            ],
            [
              '  shares of CPU per event',
              Object.entries(budget.shares)
                .map(([k, v]) => `${k} ${round(v * 100)}%`)
                .join(', '),
            ],
          ] as [string, string][])
        : []),
      [`latency at ${latency.rate_per_s}/s p50 / p95 / p99`, `${latency.p50_ms} / ${latency.p95_ms} / ${latency.p99_ms} ms`],
      ...(breakdown
        ? ([
            ['  gateway (publish -> events) p50 / p99', `${breakdown.gateway.p50_ms} / ${breakdown.gateway.p99_ms} ms`],
            ['  matcher (events -> deliveries) p50 / p99', `${breakdown.matcher.p50_ms} / ${breakdown.matcher.p99_ms} ms`],
            ['  worker (deliveries -> receipt) p50 / p99', `${breakdown.worker.p50_ms} / ${breakdown.worker.p99_ms} ms`],
          ] as [string, string][])
        : []),
      ...(latencyLoad
        ? ([
            [
              '  CPU share in latency phase',
              Object.entries(latencyLoad)
                .map(([k, v]) => `${k.replace(/_cpu_share$/, '')} ${v}`)
                .join(', '),
            ],
          ] as [string, string][])
        : []),
      ['CPU ms per event (sustained phase)', list(cpuPerEvent)],
      ...(steady
        ? ([
            [`steady ${steadyRate}/s for ${steadySeconds} s: CPU ms per event`, `${list(steady.cpu_ms_per_event)} (total ${steady.total_cpu_ms_per_event})`],
            ['  steady lost / duplicated, p50 / p99', `${steady.lost} / ${steady.duplicated}, ${steady.p50_ms} / ${steady.p99_ms} ms`],
            [
              '  steady RSS start -> end',
              Object.keys(apps)
                .map((k) => `${k} ${steady!.rss_mb_start[k] ?? '?'} -> ${steady!.rss_mb_end[k] ?? '?'}`)
                .join(', ') + ' MiB',
            ],
          ] as [string, string][])
        : []),
      ...(idle
        ? ([
            [`idle ${idleSeconds} s: CPU % of one core`, list(idle.cpu_percent_of_core, '%')],
            [`  the ${idle.after_load.seconds} s settle before it`, list(idle.after_load.cpu_percent_of_core, '%')],
          ] as [string, string][])
        : []),
      ['lost / duplicated', `${results.pipeline.lost} / ${results.pipeline.duplicated}`],
      [
        'fan-out 1 -> 100 webhooks',
        `${results.fanout.deliveries_per_s} deliveries/s${results.fanout.warmup ? ` (${results.fanout.events} events, after a warm-up of ${results.fanout.warmup.events}: ${results.fanout.warmup.deliveries_per_s}/s)` : ''}`,
      ],
      [
        '  published / first / last receipt at',
        `${results.fanout.published_ms} / ${results.fanout.first_receipt_ms} / ${results.fanout.last_receipt_ms} ms after the first publish`,
      ],
      ['fan-out: CPU ms per delivery', list(results.fanout.cpu_ms_per_delivery)],
      ['peak RSS gateway / matcher / worker', `${rss.gateway} / ${rss.matcher} / ${rss['delivery-worker']} MiB`],
      ['error-level lines at start', list(Object.fromEntries(Object.entries(startErrors).map(([k, e]) => [k, e.count])))],
      ...Object.entries(startErrors).flatMap(([k, e]) => e.first.map((line): [string, string] => [`  ${k}`, line])),
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));
    console.log(`\nwritten to bench/results/${out}`);
  } finally {
    for (const pub of publishers) pub.close();
    await system.stop();
    if (profileDir) nameProfiles(profileDir, pids);
  }
} finally {
  await receiver.close();
  if (startedKafka) execFileSync(process.execPath, [path.join(root, 'infra/kafka/kafka.mjs'), 'stop'], { stdio: 'inherit' });
  await cluster?.destroy();
}

/** --cpu-prof names files after the pid: rename them after the app they profiled. */
function nameProfiles(dir: string, pids: Map<number, string>): void {
  const seen = new Map<string, number>();
  for (const file of fs.readdirSync(dir)) {
    const pid = /^CPU\.\d+\.\d+\.(\d+)\./.exec(file)?.[1];
    const app = pid ? pids.get(Number(pid)) : undefined;
    if (!app) continue;
    const n = (seen.get(app) ?? 0) + 1;
    seen.set(app, n);
    fs.renameSync(path.join(dir, file), path.join(dir, `${app}${n > 1 ? `-${n}` : ''}.cpuprofile`));
  }
  log(`CPU profiles in ${dir}: node bench/dist/tools/profile-top.js ${dir}`);
}

/**
 * Drops the receiver's log of a finished phase: the bench process also times receipts, and
 * tens of thousands of retained requests (headers, raw and parsed bodies) make its garbage
 * collections long enough to show up in the next phase's latencies.
 */
function forget(r: Receiver): void {
  r.requests.length = 0;
}
