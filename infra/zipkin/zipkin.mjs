#!/usr/bin/env node
// A local Zipkin server without Docker: resolves Zipkin's runnable `exec` jar from Maven Central
// (pom.xml beside this file, cached by Maven in ~/.m2 and copied into .cache/), runs it in the
// background with in-memory storage, waits until /health answers UP, and stops it.
//
//   node infra/zipkin/zipkin.mjs start    start (or reuse a Zipkin already answering on the port)
//   node infra/zipkin/zipkin.mjs stop     stop the server this launcher started
//   node infra/zipkin/zipkin.mjs status   exit 0 when Zipkin answers
//   node infra/zipkin/zipkin.mjs fetch    only resolve the jar
//
// Settings (environment): ZIPKIN_PORT (9411), ZIPKIN_HOME_DIR (infra/zipkin/.run), ZIPKIN_HEAP
// (256m), ZIPKIN_START_TIMEOUT_MS (120000). `start` prints one JSON line:
// { "url": "http://127.0.0.1:<port>", "spans": "<url>/api/v2/spans", "started": true|false, "pid"?: n }.
// Spans are POSTed by OpenTelemetry's Zipkin exporter (OTEL_TRACES_EXPORTER=zipkin,
// OTEL_EXPORTER_ZIPKIN_ENDPOINT=<spans>); traces read back at /api/v2/trace/<id>, the UI at /zipkin/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyMavenDependencies } from '../maven.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.ZIPKIN_PORT ?? 9411);
const runDir = path.resolve(process.env.ZIPKIN_HOME_DIR ?? path.join(here, '.run'));
const cacheDir = path.join(here, '.cache');
const heap = process.env.ZIPKIN_HEAP ?? '256m';
const startTimeoutMs = Number(process.env.ZIPKIN_START_TIMEOUT_MS ?? 120_000);
const pidFile = path.join(runDir, `zipkin-${port}.pid`);
const logFile = path.join(runDir, `zipkin-${port}.log`);
const base = `http://127.0.0.1:${port}`;

const say = (msg) => process.stderr.write(`[zipkin] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function version() {
  const pom = fs.readFileSync(path.join(here, 'pom.xml'), 'utf8');
  return /<zipkin.version>([^<]+)</.exec(pom)?.[1] ?? 'unknown';
}

const jarPath = () => path.join(cacheDir, `zipkin-server-${version()}-exec.jar`);

/** Resolves the jar once (Maven keeps it in ~/.m2 too); returns how long it took, 0 when cached. */
function fetchJar() {
  if (fs.existsSync(jarPath())) return 0;
  const t0 = Date.now();
  say(`resolving Zipkin ${version()} (exec jar, about 87 MB) from Maven Central into ${path.relative(process.cwd(), cacheDir)}`);
  const ok = copyMavenDependencies(path.join(here, 'pom.xml'), cacheDir, ['-Dmdep.useRepositoryLayout=false']);
  if (!ok || !fs.existsSync(jarPath())) throw new Error('mvn could not resolve the Zipkin jar (is Maven installed and Maven Central reachable?)');
  const ms = Date.now() - t0;
  say(`resolved in ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

/** Zipkin's own health answer (`{"status":"UP"}`), not just an open port. */
async function healthy() {
  try {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return false;
    const body = await res.json();
    return body?.status === 'UP';
  } catch {
    return false;
  }
}

function readPid() {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function start() {
  if (await healthy()) {
    say(`reusing the Zipkin server already answering on ${base}`);
    return { started: false };
  }
  const fetchMs = fetchJar();
  fs.mkdirSync(runDir, { recursive: true });
  const out = fs.openSync(logFile, 'a');
  // In-memory storage (the default); the small heap and serial GC keep it light on a shared machine.
  const child = spawn(
    'java',
    [
      `-Xmx${heap}`,
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-jar',
      jarPath(),
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
      '--logging.level.root=WARN',
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  fs.writeFileSync(pidFile, String(child.pid));
  const t0 = Date.now();
  while (Date.now() - t0 < startTimeoutMs) {
    if (readPid() === undefined) throw new Error(`Zipkin exited during start; see ${logFile}`);
    if (await healthy()) {
      say(`Zipkin ${version()} ready on ${base} in ${Date.now() - t0} ms; pid ${child.pid}; log ${logFile}`);
      return { started: true, pid: child.pid, fetch_ms: fetchMs, start_ms: Date.now() - t0 };
    }
    await sleep(500);
  }
  throw new Error(`Zipkin did not answer ${base}/health within ${startTimeoutMs} ms; see ${logFile}`);
}

async function stop() {
  const pid = readPid();
  if (!pid) {
    say('no Zipkin started by this launcher is running on this port');
    return;
  }
  process.kill(pid, 'SIGTERM');
  const t0 = Date.now();
  while (Date.now() - t0 < 20_000) {
    if (readPid() === undefined) {
      fs.rmSync(pidFile, { force: true });
      say(`stopped (pid ${pid})`);
      return;
    }
    await sleep(200);
  }
  process.kill(pid, 'SIGKILL');
  fs.rmSync(pidFile, { force: true });
  say(`killed after 20 s (pid ${pid})`);
}

const cmd = process.argv[2] ?? 'start';
try {
  if (cmd === 'start') {
    const r = await start();
    process.stdout.write(JSON.stringify({ url: base, spans: `${base}/api/v2/spans`, version: version(), ...r }) + '\n');
  } else if (cmd === 'stop') await stop();
  else if (cmd === 'status') process.exit((await healthy()) ? 0 : 1);
  else if (cmd === 'fetch') fetchJar();
  else {
    say(`unknown command ${cmd}: start | stop | status | fetch`);
    process.exit(2);
  }
} catch (e) {
  say(e.message);
  process.exit(1);
}
