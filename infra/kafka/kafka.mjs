#!/usr/bin/env node
// Local Apache Kafka without Docker: resolves the broker's jars from Maven Central
// (pom.xml beside this file), formats KRaft storage once and runs a single-node
// broker+controller in the background with its log in a file.
//
//   node infra/kafka/kafka.mjs start    start (or reuse a broker already answering on the port)
//   node infra/kafka/kafka.mjs stop     stop the broker this launcher started
//   node infra/kafka/kafka.mjs status   exit 0 when a broker answers
//   node infra/kafka/kafka.mjs fetch    only resolve the jars
//
// With --brokers N (N >= 2) every command is about a cluster of N nodes instead: see cluster.mjs.
//
// Settings (environment): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (port + 1),
// KAFKA_HOME_DIR (infra/kafka/.run), KAFKA_HEAP (512m), KAFKA_START_TIMEOUT_MS (90000).
//
// With --sasl (start | stop | status) it is another broker beside the plain one: its clients'
// listener asks for SASL/SCRAM (SCRAM-SHA-512 and SCRAM-SHA-256), on KAFKA_PORT (default 9096)
// with its own folder (default infra/kafka/.run-sasl). The user KAFKA_SASL_USERNAME (hookstream)
// with KAFKA_SASL_PASSWORD (when unset: a random one, kept in <folder>/sasl-password) is written
// into the metadata log when the storage is formatted (kafka-storage format --add-scram), so the
// credentials are fixed at the first start: delete the folder to change them. The controller
// listener stays PLAINTEXT on 127.0.0.1. With --sasl --tls the client listener is SASL_SSL: a
// throwaway CA and a broker certificate for 127.0.0.1 are made with openssl in <folder>/tls (the
// answer names the CA file for KAFKA_SSL_CA_FILE); nothing of it is ever committed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  brokerAnswers as answers,
  fetchJars,
  here,
  javaCommand,
  kafkaVersion,
  newClusterId,
  portOpen,
  readPid as readPidFile,
  say,
  sleep,
  stopProcess,
  withLock as lockDirDuring,
  writeLog4j,
} from './broker-tools.mjs';
import { clusterMain, parseBrokerCount } from './cluster.mjs';

const argv = process.argv.slice(2);
const brokerCount = parseBrokerCount(argv);
if (brokerCount > 1) process.exit(await clusterMain(argv, brokerCount));

const sasl = argv.includes('--sasl') || process.env.KAFKA_SASL === 'true';
const withTls = sasl && (argv.includes('--tls') || process.env.KAFKA_TLS === 'true');
const port = Number(process.env.KAFKA_PORT ?? (sasl ? 9096 : 9092));
const controllerPort = Number(process.env.KAFKA_CONTROLLER_PORT ?? port + 1);
const runDir = path.resolve(process.env.KAFKA_HOME_DIR ?? path.join(here, sasl ? '.run-sasl' : '.run'));
const heap = process.env.KAFKA_HEAP ?? '512m';
const startTimeoutMs = Number(process.env.KAFKA_START_TIMEOUT_MS ?? 90_000);
const pidFile = path.join(runDir, 'broker.pid');
const logFile = path.join(runDir, 'broker.log');

const brokerAnswers = (p) => answers(p, { useTls: withTls });
const readPid = () => readPidFile(pidFile);
const withLock = (fn) => lockDirDuring(runDir, startTimeoutMs + 60_000, fn);
const java = (args, opts = {}) => [...javaCommand(args, { heap, dir: runDir }), opts];

const SCRAM_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'];
// Both go unquoted into kafka-storage's --add-scram '[name=...,password=...]' and into a JAAS line.
const SAFE_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const SAFE_PASSWORD = /^[A-Za-z0-9._~+-]{8,200}$/;

/** The SCRAM users of a --sasl broker: the clients' user and the broker's own (inter-broker). */
function saslUsers() {
  const username = process.env.KAFKA_SASL_USERNAME ?? 'hookstream';
  if (!SAFE_NAME.test(username)) throw new Error('KAFKA_SASL_USERNAME must be 1-100 letters, digits, ".", "_" or "-"');
  const passwordFile = path.join(runDir, 'sasl-password');
  const brokerPasswordFile = path.join(runDir, 'sasl-broker-password');
  const formatted = fs.existsSync(path.join(runDir, 'data', 'meta.properties'));
  const keep = (file, given) => {
    if (given !== undefined) {
      if (!SAFE_PASSWORD.test(given)) throw new Error('KAFKA_SASL_PASSWORD must be 8-200 letters, digits or . _ ~ + -');
      const kept = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
      if (formatted && kept !== given) throw new Error(`the SCRAM credentials were fixed when ${runDir} was formatted: delete that folder to change them`);
      fs.writeFileSync(file, given, { mode: 0o600 });
    } else if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
    return fs.readFileSync(file, 'utf8').trim();
  };
  return {
    client: { username, password: keep(passwordFile, process.env.KAFKA_SASL_PASSWORD || undefined), passwordFile },
    broker: { username: 'broker', password: keep(brokerPasswordFile, undefined) },
  };
}

/** A CA and a broker certificate for 127.0.0.1, made once per folder with openssl. */
function tlsFiles() {
  const dir = path.join(runDir, 'tls');
  const files = { ca: path.join(dir, 'ca.pem'), keystore: path.join(dir, 'broker-keystore.pem') };
  if (fs.existsSync(files.keystore)) return files;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name) => path.join(dir, name);
  const openssl = (args) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed (is openssl installed?): ${r.stderr}`);
  };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=hookstream-dev-ca', '-keyout', f('ca.key'), '-out', files.ca]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('broker.key'), '-out', f('broker.csr')]);
  fs.writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl([
    'x509',
    '-req',
    '-in',
    f('broker.csr'),
    '-CA',
    files.ca,
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    f('san.ext'),
    '-out',
    f('broker.pem'),
  ]);
  // Kafka's PEM key store: the unencrypted PKCS#8 key and the certificate chain in one file.
  fs.writeFileSync(files.keystore, fs.readFileSync(f('broker.key'), 'utf8') + fs.readFileSync(f('broker.pem'), 'utf8'), { mode: 0o600 });
  for (const name of ['ca.key', 'broker.key', 'broker.csr', 'san.ext']) fs.rmSync(f(name), { force: true });
  return files;
}

function listenerProps(users) {
  if (!users) {
    return `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT`;
  }
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${users.broker.username}" password="${users.broker.password}";`;
  const name = withTls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  const ssl = withTls ? tlsFiles() : undefined;
  return `listeners=${name}://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=${name}://127.0.0.1:${port}
listener.security.protocol.map=${name}:${name},CONTROLLER:PLAINTEXT
inter.broker.listener.name=${name}
sasl.enabled.mechanisms=${SCRAM_MECHANISMS.join(',')}
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
${SCRAM_MECHANISMS.map((m) => `listener.name.${name.toLowerCase()}.${m.toLowerCase()}.sasl.jaas.config=${jaas}`).join('\n')}${
    ssl
      ? `
ssl.keystore.type=PEM
ssl.keystore.location=${ssl.keystore}
ssl.truststore.type=PEM
ssl.truststore.location=${ssl.ca}`
      : ''
  }`;
}

function writeConfig(users) {
  const dataDir = path.join(runDir, 'data');
  const props = `# written by infra/kafka/kafka.mjs
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
${listenerProps(users)}
controller.listener.names=CONTROLLER
log.dirs=${dataDir}
num.partitions=3
num.network.threads=2
num.io.threads=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
# The controller appends a no-op record to the metadata log (a write and an fsync) every
# 500 ms by default, idle or not; a single node has no follower that needs it that often.
metadata.max.idle.interval.ms=5000
`;
  // It may carry the broker's own SCRAM password.
  fs.writeFileSync(path.join(runDir, 'server.properties'), props, { mode: 0o600 });
  writeLog4j(runDir);
  return dataDir;
}

function formatStorage(dataDir, users) {
  if (fs.existsSync(path.join(dataDir, 'meta.properties'))) return;
  const scram = users
    ? [users.client, users.broker].flatMap((u) => SCRAM_MECHANISMS.flatMap((m) => ['--add-scram', `${m}=[name=${u.username},password=${u.password}]`]))
    : [];
  const clusterId = newClusterId();
  const [cmd, args] = java(['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', path.join(runDir, 'server.properties'), ...scram]);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    const out = r.stderr || r.stdout;
    throw new Error(`kafka-storage format failed: ${users ? out.replaceAll(users.client.password, '***').replaceAll(users.broker.password, '***') : out}`);
  }
}

async function start() {
  return withLock(async () => {
    if (await brokerAnswers(port)) {
      say(`reusing the Kafka broker already answering on 127.0.0.1:${port}`);
      return { started: false, ...saslAnswer() };
    }
    if (await portOpen(port)) throw new Error(`port ${port} is taken by something that is not a Kafka broker`);
    fetchJars();
    const users = sasl ? saslUsers() : undefined;
    const dataDir = writeConfig(users);
    formatStorage(dataDir, users);
    const out = fs.openSync(logFile, 'a');
    const [cmd, args] = java(['kafka.Kafka', path.join(runDir, 'server.properties')]);
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
    child.unref();
    fs.writeFileSync(pidFile, String(child.pid));
    const t0 = Date.now();
    while (Date.now() - t0 < startTimeoutMs) {
      if (readPid() === undefined) throw new Error(`the broker exited during start; see ${logFile}`);
      if (await brokerAnswers(port)) {
        say(
          `Apache Kafka ${kafkaVersion()} (KRaft, single node${sasl ? `, SASL/SCRAM${withTls ? ' over TLS' : ''}` : ''}) ready on 127.0.0.1:${port} in ${Date.now() - t0} ms; pid ${child.pid}; log ${logFile}`,
        );
        return { started: true, pid: child.pid, ...saslAnswer() };
      }
      await sleep(300);
    }
    throw new Error(`the broker did not answer within ${startTimeoutMs} ms; see ${logFile}`);
  });
}

/** Where clients find the credentials (the password itself stays in its file). */
function saslAnswer() {
  if (!sasl) return {};
  const username = process.env.KAFKA_SASL_USERNAME ?? 'hookstream';
  return {
    sasl: { mechanisms: SCRAM_MECHANISMS.map((m) => m.toLowerCase()), username, passwordFile: path.join(runDir, 'sasl-password') },
    ...(withTls ? { tls: { caFile: path.join(runDir, 'tls', 'ca.pem') } } : {}),
  };
}

async function stop() {
  const stopped = await stopProcess(pidFile);
  if (!stopped) say('no broker started by this launcher is running');
  else say(stopped.killed ? `killed after 30 s (pid ${stopped.pid})` : `stopped (pid ${stopped.pid})`);
}

const cmd = argv[0] && !argv[0].startsWith('--') ? argv[0] : 'start';
try {
  if (cmd === 'start') {
    const r = await start();
    process.stdout.write(JSON.stringify({ brokers: `127.0.0.1:${port}`, version: kafkaVersion(), ...r }) + '\n');
  } else if (cmd === 'stop') await stop();
  else if (cmd === 'status') process.exit((await brokerAnswers(port)) ? 0 : 1);
  else if (cmd === 'fetch') fetchJars();
  else if (cmd === 'version') process.stdout.write(kafkaVersion() + '\n');
  else {
    say(`unknown command ${cmd}: use start | stop | status | fetch | version`);
    process.exit(2);
  }
} catch (e) {
  say(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
