// What the single-node launcher (kafka.mjs) and the cluster launcher (cluster.mjs) share:
// the Maven-resolved classpath, the JVM command line, a real Kafka probe, the KRaft cluster id,
// pid files and a start lock between concurrent launchers.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyMavenDependencies } from '../maven.mjs';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const libDir = path.join(here, '.cache', 'lib');

export const say = (msg) => process.stderr.write(`[kafka] ${msg}\n`);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function kafkaVersion() {
  const pom = fs.readFileSync(path.join(here, 'pom.xml'), 'utf8');
  return /<kafka.version>([^<]+)</.exec(pom)?.[1] ?? 'unknown';
}

/** True when something accepts TCP connections on the port. */
export function portOpen(p, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = net.connect({ port: p, host });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * A real Kafka answer rather than an open port: an ApiVersions request (v0),
 * which every broker version answers, checked for a well-formed response.
 */
export function brokerAnswers(p, { host = '127.0.0.1', useTls = false } = {}) {
  return new Promise((resolve) => {
    // A probe only: whether the certificate is right is the clients' check.
    const s = useTls ? tls.connect({ port: p, host, rejectUnauthorized: false }) : net.connect({ port: p, host });
    const clientId = Buffer.from('hookstream-probe');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
    body.writeInt16BE(18, 0); // ApiVersions
    body.writeInt16BE(0, 2); // version 0
    body.writeInt32BE(4242, 4); // correlation id
    body.writeInt16BE(clientId.length, 8);
    clientId.copy(body, 10);
    const frame = Buffer.alloc(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    body.copy(frame, 4);
    let got = Buffer.alloc(0);
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000);
    s.once(useTls ? 'secureConnect' : 'connect', () => s.write(frame));
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 10) done(got.readInt32BE(4) === 4242 && got.readInt16BE(8) === 0);
    });
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

function jarsPresent() {
  return fs.existsSync(libDir) && fs.readdirSync(libDir).some((f) => f.startsWith('kafka_2.13-'));
}

export function fetchJars() {
  if (jarsPresent()) return;
  say(`resolving Apache Kafka ${kafkaVersion()} from Maven Central into ${path.relative(process.cwd(), libDir)}`);
  const ok = copyMavenDependencies(path.join(here, 'pom.xml'), libDir, ['-DincludeScope=runtime']);
  if (!ok || !jarsPresent()) throw new Error('mvn could not resolve the Kafka jars (is Maven installed and Maven Central reachable?)');
}

/** The log4j settings of one node (its own file, so the node's log goes to its own folder). */
export function writeLog4j(dir) {
  fs.writeFileSync(
    path.join(dir, 'log4j.properties'),
    [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=INFO',
      'log4j.logger.org.apache.kafka=INFO',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.state.change.logger=WARN',
      '',
    ].join('\n'),
  );
}

/** `[command, args]` running a Kafka main class on the resolved classpath with the node folder's log4j settings. */
export function javaCommand(args, { heap, dir }) {
  return [
    'java',
    [
      `-Xmx${heap}`,
      `-Xms128m`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${dir}`,
      '-cp',
      `${libDir}/*`,
      ...args,
    ],
  ];
}

/** A fresh KRaft cluster id: 16 random bytes in base64url, never starting with "-" (it would be read as an option). */
export function newClusterId() {
  let clusterId;
  do clusterId = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url').slice(0, 22);
  while (clusterId.startsWith('-'));
  return clusterId;
}

/** The pid in the file when that process still runs. */
export function readPid(pidFile) {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Runs `fn` holding `<dir>/start.lock`: concurrent launchers (test runners) wait for each other. */
export async function withLock(dir, timeoutMs, fn) {
  const lockDir = path.join(dir, 'start.lock');
  // mkdir is atomic.
  fs.mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'owner'), String(process.pid));
      break;
    } catch {
      let owner;
      try {
        owner = Number(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'));
      } catch {
        owner = undefined;
      }
      let alive = false;
      if (owner) {
        try {
          process.kill(owner, 0);
          alive = true;
        } catch {
          alive = false;
        }
      }
      if (owner && !alive) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** SIGTERM (a broker's controlled shutdown hands its leaderships over), SIGKILL after `graceMs`. */
export async function stopProcess(pidFile, graceMs = 30_000) {
  const pid = readPid(pidFile);
  if (!pid) return undefined;
  process.kill(pid, 'SIGTERM');
  const t0 = Date.now();
  while (Date.now() - t0 < graceMs) {
    if (readPid(pidFile) === undefined) {
      fs.rmSync(pidFile, { force: true });
      return { pid, killed: false };
    }
    await sleep(200);
  }
  process.kill(pid, 'SIGKILL');
  fs.rmSync(pidFile, { force: true });
  return { pid, killed: true };
}
