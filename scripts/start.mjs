#!/usr/bin/env node
// Runs the whole system on this machine: Apache Kafka (infra/kafka, unless
// KAFKA_BROKERS is set), database migrations, then the gateway, the matcher and the
// delivery worker as separate processes. Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (m) => console.log(`[hookstream] ${m}`);

function must(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    say(`${path.basename(cmd)} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
  return r;
}

/**
 * Settings generated once per checkout so restarts keep the same admin token, encryption key and
 * portal key (a checkout from before the portal gets its portal key added).
 */
function localSettings() {
  const file = path.join(root, '.run', 'local.env');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) {
    fs.writeFileSync(
      file,
      `HOOKSTREAM_ADMIN_TOKEN=hs_admin_${randomBytes(24).toString('base64url')}\nHOOKSTREAM_SECRET_KEY=${randomBytes(32).toString('base64')}\n`,
      { mode: 0o600 },
    );
  }
  if (!/^HOOKSTREAM_PORTAL_KEY=/m.test(fs.readFileSync(file, 'utf8'))) {
    fs.appendFileSync(file, `HOOKSTREAM_PORTAL_KEY=${randomBytes(32).toString('base64')}\n`);
  }
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

say('building');
must(path.join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--output-logs=errors-only']);

const env = { ...process.env };
let startedKafka = false;
if (!env.KAFKA_BROKERS) {
  const r = spawnSync(process.execPath, ['infra/kafka/kafka.mjs', 'start'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const info = JSON.parse(r.stdout.trim().split('\n').pop());
  startedKafka = info.started;
  env.KAFKA_BROKERS = info.brokers;
}
env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/hookstream';
must(process.execPath, ['scripts/migrate.mjs'], { env });
// The apps' Node.js flags (why: packages/service-kit/src/lifecycle/node-flags.ts), readable once built.
const { nodeFlagsOf } = await import('../packages/service-kit/dist/lifecycle/node-flags.js');

const generated = localSettings();
for (const [k, v] of Object.entries(generated)) {
  if (!env[k]) env[k] = v;
}
env.PORT ??= '8080';
// Links the gateway hands out (portal and console sessions, webhook URIs) point at the port it listens on.
env.HOOKSTREAM_PUBLIC_URL ??= `http://127.0.0.1:${env.PORT}`;
// Each app's operations port (/healthz, /readyz, /metrics), on loopback (OPS_HOST's default).
const opsPorts = { gateway: '9464', matcher: '8081', 'delivery-worker': '8082' };
// Local runs deliver to endpoints on this machine (the demo receiver); production keeps the default.
env.HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS ??= 'true';

const apps = ['gateway', 'matcher', 'delivery-worker'];
const children = new Map();
let stopping = false;

function launch(name) {
  const child = spawn(process.execPath, [...nodeFlagsOf(name), path.join(root, 'apps', name, 'dist', 'main.js')], {
    cwd: root,
    env: { ...env, OPS_PORT: opsPorts[name] },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}]`.padEnd(18);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (buf) => {
      const lines = (rest + buf.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    say(`${name} exited (${code ?? signal}); restarting in 2 s`);
    setTimeout(() => !stopping && launch(name), 2000);
  });
  children.set(name, child);
}

for (const name of apps) launch(name);

const gateway = `http://127.0.0.1:${env.PORT}`;
const t0 = Date.now();
for (;;) {
  try {
    const r = await fetch(`http://127.0.0.1:${opsPorts.gateway}/readyz`);
    if (r.ok) break;
  } catch {
    // not listening yet
  }
  if (Date.now() - t0 > 90_000) {
    say('the gateway did not become ready within 90 s');
    break;
  }
  await new Promise((r) => setTimeout(r, 300));
}
say(`gateway listening on ${gateway} (API docs: ${gateway}/docs, OpenAPI: ${gateway}/openapi.json)`);
say(
  `operations ports (/readyz, /metrics): gateway http://127.0.0.1:${opsPorts.gateway}, matcher http://127.0.0.1:${opsPorts.matcher}, delivery-worker http://127.0.0.1:${opsPorts['delivery-worker']}`,
);
say(
  `admin token: ${env.HOOKSTREAM_ADMIN_TOKEN === generated.HOOKSTREAM_ADMIN_TOKEN ? env.HOOKSTREAM_ADMIN_TOKEN + ' (generated, kept in .run/local.env)' : 'from HOOKSTREAM_ADMIN_TOKEN'}`,
);
say(
  `portal key (signs portal and console sessions): ${env.HOOKSTREAM_PORTAL_KEY === generated.HOOKSTREAM_PORTAL_KEY ? env.HOOKSTREAM_PORTAL_KEY + ' (generated, kept in .run/local.env)' : 'from HOOKSTREAM_PORTAL_KEY'}`,
);
say(`operator console: ${gateway}/console/ (paste the admin token); partner portal links: POST /v1/portal/sessions`);
say('Ctrl-C stops everything');

async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping`);
  const exits = [...children.values()].map(
    (c) =>
      new Promise((r) => {
        c.once('exit', r);
        c.kill('SIGTERM');
      }),
  );
  await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 30_000))]);
  for (const c of children.values()) c.kill('SIGKILL');
  if (startedKafka) spawnSync(process.execPath, ['infra/kafka/kafka.mjs', 'stop'], { cwd: root, stdio: 'inherit' });
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
