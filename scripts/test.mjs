#!/usr/bin/env node
// The project's one test command: builds, type-checks and lints every workspace, then runs
// every test suite against a real Apache Kafka broker (infra/kafka, unless
// KAFKA_BROKERS is set) and the local PostgreSQL server, and prints one total line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
const turbo = path.join(root, 'node_modules', '.bin', 'turbo');
const extra = process.argv.slice(2);
const ROOT_LINT = ['scripts', 'eslint.config.js', 'jest.base.config.js'];

let startedKafka = false;
const env = { HOOKSTREAM_TEST_KEEP_KAFKA: '1' };
if (!process.env.KAFKA_BROKERS) {
  const r = spawnSync(process.execPath, ['infra/kafka/kafka.mjs', 'start'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
  let info;
  try {
    info = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    console.error(`unexpected answer from infra/kafka: ${r.stdout}`);
    spawnSync(process.execPath, ['infra/kafka/kafka.mjs', 'stop'], { cwd: root, stdio: 'inherit' });
    process.exit(1);
  }
  startedKafka = info.started;
  env.KAFKA_BROKERS = info.brokers;
  env.HOOKSTREAM_TEST_KAFKA_VERSION = `${info.version} (infra/kafka, ${info.started ? 'started for this run' : 'reused'})`;
}

let status;
try {
  status = run(turbo, ['run', 'build', 'lint', '--output-logs=errors-only', ...extra]);
  // The repository's own scripts belong to no workspace.
  if (status === 0) status = run(path.join(root, 'node_modules', '.bin', 'eslint'), ROOT_LINT);
  // One code format everywhere (Prettier, .prettierrc.json); `npm run format` rewrites it.
  if (status === 0) status = run(path.join(root, 'node_modules', '.bin', 'prettier'), ['--check', '--log-level', 'warn', '**/*.{ts,js,mjs}']);
  if (status === 0) {
    // One workspace at a time: the machine has two cores and the suites share one broker.
    status = run(turbo, ['run', 'test', '--concurrency=1', '--output-logs=full', ...extra], env);
  }
} finally {
  if (startedKafka) spawnSync(process.execPath, ['infra/kafka/kafka.mjs', 'stop'], { cwd: root, stdio: 'inherit' });
}

// Sum up every workspace's jest results into the plain closing line.
let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of ['apps', 'packages', 'tests', '.']) {
  const base = path.join(root, dir);
  if (!fs.existsSync(base)) continue;
  // '.' covers the top-level workspaces (infra, bench).
  for (const ws of dir === '.' ? ['infra', 'bench'] : fs.readdirSync(base)) {
    const file = path.join(base, ws, 'jest-results.json');
    if (!fs.existsSync(file)) continue;
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
if (status === 0 && (failed > 0 || passed === 0)) status = 1;
process.exit(status);
