#!/usr/bin/env node
// node bench/dist/tools/idle-cost.js [--seconds=30] [--settle=5] [--private-broker] [--port=19292] [--profile=dir] [--env=NAME=value ...]
//
// Starts the three apps (test-kit startSystem) with no traffic and reports:
//   - each app's CPU share of one core over --seconds (from /proc/<pid>/stat), after --settle s;
//   - its wake-ups a second: the main thread's voluntary context switches (event_loop_wakeups_per_s)
//     and all context switches of the main thread and of its other threads (switches_per_s_by_thread);
//   - with --private-broker, the broker's too: a broker of its own on --port, fresh (so the start
//     also meets a broker whose coordinators are still loading) and with nobody else's load;
//   - every error-level line the apps printed from start to the end of the window (pino level
//     error/fatal, kafkajs ERROR), which a healthy start must not print.
// Needs a built tree, PostgreSQL (HOOKSTREAM_TEST_PG_URL) and, without --private-broker, a broker
// on KAFKA_BROKERS (default 127.0.0.1:9092). --profile=dir writes each app's CPU profile there
// (samples from 20 s after the app started: the idle part, with --settle >= 20 - start time).
import fs from 'node:fs';
import path from 'node:path';
import { errorLines, startPrivateBroker, startSystem, type PrivateBroker } from '@hookstream/test-kit';
import { cpuSeconds } from '../cpu.js';

const arg = (name: string, fallback?: string) => {
  const i = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const hit = process.argv[i]!;
  if (hit.includes('=')) return hit.slice(hit.indexOf('=') + 1);
  // `--seconds 30` as well as `--seconds=30`: a bare flag is a switch only when no value follows it.
  const following = process.argv[i + 1];
  return following !== undefined && !following.startsWith('--') ? following : 'true';
};
const seconds = Number(arg('seconds', '30'));
const settle = Number(arg('settle', '5'));
const profileDir = arg('profile');
/** --env=NAME=value (repeatable): settings for the apps, e.g. to compare a setting's idle cost. */
const appEnv = Object.fromEntries(
  process.argv.filter((a) => a.startsWith('--env=')).map((a) => [a.slice(6, a.indexOf('=', 6)), a.slice(a.indexOf('=', 6) + 1)] as const),
);

process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

/** The JVM started by infra/kafka with its data under `home`. */
function brokerPidIn(home: string): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('kafka.Kafka') && cmd.includes(home)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Context switches of the process's main thread (the event loop): about one per wake-up. */
function switches(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Context switches, voluntary and not, of the main thread and of all other threads together:
 * a thread switched out either waits for something (a wake-up ends that wait) or is preempted.
 */
function allSwitches(pid: number | undefined): { main: number; others: number } {
  const out = { main: 0, others: 0 };
  if (!pid) return out;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const n = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0) + Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      if (tid === String(pid)) out.main += n;
      else out.others += n;
    }
  } catch {
    // gone meanwhile
  }
  return out;
}

/** CPU seconds per thread name of a process (node names its threads: libuv pool, V8 workers...). */
function threadCpu(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!pid) return out;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const name = tid === String(pid) ? 'main' : fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    }
  } catch {
    // gone meanwhile
  }
  return out;
}

let broker: PrivateBroker | undefined;
let brokerHome: string | undefined;
if (arg('private-broker')) {
  const port = Number(arg('port', '19292'));
  broker = await startPrivateBroker({ port });
  process.env.KAFKA_BROKERS = broker.brokers.join(',');
  brokerHome = fs
    .readdirSync('/tmp')
    .map((d) => path.join('/tmp', d))
    .filter((d) => d.includes('hookstream-broker-') && fs.existsSync(path.join(d, 'server.properties')))
    .find((d) => fs.readFileSync(path.join(d, 'server.properties'), 'utf8').includes(`127.0.0.1:${port}`));
}
const brokerPid = brokerHome ? brokerPidIn(brokerHome) : undefined;

const started = Date.now();
const preload = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'cpu-profiler.js');
const system = await startSystem({
  // What the apps' default grew the topics to before the test kit passed its count on (see run.ts).
  partitions: 6,
  ...(broker ? { brokers: broker.brokers } : {}),
  env: {
    ...appEnv,
    ...(profileDir
      ? { NODE_OPTIONS: `--import=${preload}`, HOOKSTREAM_CPU_PROFILE_DIR: path.resolve(profileDir), HOOKSTREAM_CPU_PROFILE_AFTER_MS: String(20_000) }
      : {}),
  },
});
const readyMs = Date.now() - started;
try {
  await new Promise((r) => setTimeout(r, settle * 1000));
  const procs = [system.gateway, ...system.matchers, ...system.workers].map((p) => ({ name: p.name, pid: p.child.pid }));
  if (brokerPid) procs.push({ name: 'broker' as never, pid: brokerPid });
  const before = procs.map((p) => cpuSeconds(p.pid) ?? 0);
  const switchesBefore = procs.map((p) => switches(p.pid));
  const allBefore = procs.map((p) => allSwitches(p.pid));
  const threadsBefore = procs.map((p) => threadCpu(p.pid));
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = procs.map((p) => cpuSeconds(p.pid) ?? 0);
  const threads = Object.fromEntries(
    procs.map((p, i) => {
      const per = [...threadCpu(p.pid)].map(([name, s]) => [name, Number((((s - (threadsBefore[i]!.get(name) ?? 0)) / wallS) * 100).toFixed(2))] as const);
      return [p.name, Object.fromEntries(per.filter(([, v]) => v > 0))];
    }),
  );
  const wakeups = Object.fromEntries(
    procs.filter((p) => p.name !== ('broker' as never)).map((p, i) => [p.name, Math.round((switches(p.pid) - switchesBefore[i]!) / wallS)]),
  );
  // Threads come and go (libuv's pool starts on first use): a thread gone meanwhile takes its count along.
  const threadWakeups = Object.fromEntries(
    procs.map((p, i) => {
      const now = allSwitches(p.pid);
      return [p.name, { main: Math.round((now.main - allBefore[i]!.main) / wallS), others: Math.round((now.others - allBefore[i]!.others) / wallS) }];
    }),
  );
  const idle = Object.fromEntries(procs.map((p, i) => [p.name, Number((((after[i]! - before[i]!) / wallS) * 100).toFixed(2))]));
  const errors = [system.gateway, ...system.matchers, ...system.workers].flatMap((p) => errorLines(p.output()).map((l) => `[${p.name}] ${l}`));
  process.stdout.write(
    JSON.stringify({
      idle_percent_of_core: idle,
      event_loop_wakeups_per_s: wakeups,
      switches_per_s_by_thread: threadWakeups,
      percent_by_thread: threads,
      seconds: Number(wallS.toFixed(1)),
      ready_ms: readyMs,
      fresh_broker: !!broker,
      error_lines: errors.length,
    }) + '\n',
  );
  for (const l of errors) process.stdout.write(`${l.slice(0, 600)}\n`);
} finally {
  await system.stop();
  await broker?.destroy();
}
