// A replicated Kafka cluster on this machine: N KRaft nodes (N from 2 to 9, three in the tests and
// the bench) from the same Maven-resolved Apache Kafka as the single broker, run by kafka.mjs when
// it is given `--brokers N`.
//
//   node infra/kafka/kafka.mjs start --brokers 3            start every node (or reuse the ones already answering)
//   node infra/kafka/kafka.mjs start --brokers 3 --node 2   start node 2 alone (the others must be running: it needs a quorum)
//   node infra/kafka/kafka.mjs stop --brokers 3 [--node 2]  stop every node (or one): SIGTERM, a controlled shutdown
//   node infra/kafka/kafka.mjs status --brokers 3           one JSON line per the cluster; exit 0 when every node answers
//
// Every node has both roles (broker and controller): three JVMs instead of six on two shared
// cores, and a quorum of three controllers survives the loss of any one node, which is the fault
// the reliability suite injects. Production separates the roles (infra/k8s, Strimzi node pools).
//
// Ports: node i (1..N) serves clients on KAFKA_PORT + i - 1 (9092, 9093, 9094 by default) and its
// controller on KAFKA_CONTROLLER_PORT + i - 1 (default KAFKA_PORT + 10: 9102, 9103, 9104).
// Folders: KAFKA_HOME_DIR (default infra/kafka/.run-cluster) holds cluster-id (one id, formatted
// into every node) and node-<i>/ with server.properties, data/, broker.log and broker.pid.
// Heap: KAFKA_HEAP per node (default 384m).
//
// Topics follow the cluster: default replication factor min(3, N), min.insync.replicas 2 from
// three nodes on (1 below), the same rule as packages/service-kit/src/kafka/replication.ts. The apps
// create their topics with these broker defaults (replication factor -1), so the controller refuses
// a topic while fewer nodes are registered than the factor instead of placing fewer copies.
//
// A node that dies is fenced by the controller once it misses its heartbeats for
// broker.session.timeout.ms; until then its partitions keep it as their leader and every produce to
// them waits. Kafka's 9 s default stalled publishing for about 8 s after a SIGKILL here; this
// machine-local cluster fences after KAFKA_BROKER_SESSION_TIMEOUT_MS (default 4000, heartbeats every
// quarter of it), which still leaves a JVM starved by two busy cores a few missed heartbeats.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  brokerAnswers,
  fetchJars,
  here,
  javaCommand,
  kafkaVersion,
  newClusterId,
  portOpen,
  readPid,
  say,
  sleep,
  stopProcess,
  withLock,
  writeLog4j,
} from './broker-tools.mjs';

const MAX_NODES = 9;

/** `--brokers N` (or `--brokers=N`); 1 when absent. */
export function parseBrokerCount(argv) {
  const i = argv.findIndex((a) => a === '--brokers' || a.startsWith('--brokers='));
  if (i < 0) return 1;
  const raw = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const n = Number(raw);
  if (!/^\d+$/.test(raw ?? '') || n < 1 || n > MAX_NODES) {
    say(`--brokers must be a whole number from 1 to ${MAX_NODES} (got ${JSON.stringify(raw ?? null)})`);
    process.exit(2);
  }
  return n;
}

/** The replication a cluster of n brokers gives its topics (service-kit's replication.ts has the same rule). */
export function replicationFor(n) {
  return { replicationFactor: Math.min(3, n), minInsyncReplicas: n >= 3 ? 2 : 1 };
}

function layout(n) {
  const basePort = Number(process.env.KAFKA_PORT ?? 9092);
  const baseController = Number(process.env.KAFKA_CONTROLLER_PORT ?? basePort + 10);
  const home = path.resolve(process.env.KAFKA_HOME_DIR ?? path.join(here, '.run-cluster'));
  const nodes = Array.from({ length: n }, (_, k) => {
    const id = k + 1;
    const dir = path.join(home, `node-${id}`);
    return {
      id,
      port: basePort + k,
      controllerPort: baseController + k,
      dir,
      dataDir: path.join(dir, 'data'),
      pidFile: path.join(dir, 'broker.pid'),
      logFile: path.join(dir, 'broker.log'),
    };
  });
  const ports = nodes.flatMap((x) => [x.port, x.controllerPort]);
  if (new Set(ports).size !== ports.length)
    throw new Error('the client and controller port ranges overlap: set KAFKA_CONTROLLER_PORT at least N above KAFKA_PORT');
  return { home, nodes, heap: process.env.KAFKA_HEAP ?? '384m', startTimeoutMs: Number(process.env.KAFKA_START_TIMEOUT_MS ?? 120_000) };
}

/** How soon the controller fences a node that stopped heartbeating (see the header). */
export function brokerLiveness(env = process.env) {
  const sessionTimeoutMs = Number(env.KAFKA_BROKER_SESSION_TIMEOUT_MS ?? 4000);
  if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs < 1000)
    throw new Error('KAFKA_BROKER_SESSION_TIMEOUT_MS must be a whole number of ms, 1000 or more');
  return { sessionTimeoutMs, heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 4) };
}

function nodeProperties(node, nodes) {
  const { replicationFactor, minInsyncReplicas } = replicationFor(nodes.length);
  const { sessionTimeoutMs, heartbeatIntervalMs } = brokerLiveness();
  return `# written by infra/kafka/cluster.mjs (node ${node.id} of ${nodes.length})
process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${nodes.map((x) => `${x.id}@127.0.0.1:${x.controllerPort}`).join(',')}
listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=${node.dataDir}
num.partitions=3
num.network.threads=2
num.io.threads=2
num.replica.fetchers=1
default.replication.factor=${replicationFactor}
min.insync.replicas=${minInsyncReplicas}
offsets.topic.replication.factor=${replicationFactor}
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=${replicationFactor}
transaction.state.log.min.isr=${minInsyncReplicas}
transaction.state.log.num.partitions=6
unclean.leader.election.enable=false
broker.session.timeout.ms=${sessionTimeoutMs}
broker.heartbeat.interval.ms=${heartbeatIntervalMs}
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
`;
}

function clusterId(home) {
  const file = path.join(home, 'cluster-id');
  if (!fs.existsSync(file)) fs.writeFileSync(file, newClusterId());
  return fs.readFileSync(file, 'utf8').trim();
}

function prepare(node, nodes, home, heap) {
  fs.mkdirSync(node.dir, { recursive: true });
  fs.writeFileSync(path.join(node.dir, 'server.properties'), nodeProperties(node, nodes));
  writeLog4j(node.dir);
  if (fs.existsSync(path.join(node.dataDir, 'meta.properties'))) return;
  const [cmd, args] = javaCommand(['kafka.tools.StorageTool', 'format', '-t', clusterId(home), '-c', path.join(node.dir, 'server.properties')], {
    heap,
    dir: node.dir,
  });
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kafka-storage format of node ${node.id} failed: ${r.stderr || r.stdout}`);
}

function launch(node, heap) {
  const out = fs.openSync(node.logFile, 'a');
  const [cmd, args] = javaCommand(['kafka.Kafka', path.join(node.dir, 'server.properties')], { heap, dir: node.dir });
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  fs.writeFileSync(node.pidFile, String(child.pid));
  return child.pid;
}

async function start(selected, all, { home, heap, startTimeoutMs }) {
  return withLock(home, startTimeoutMs + 60_000, async () => {
    const launched = [];
    for (const node of selected) {
      if (await brokerAnswers(node.port)) continue;
      for (const p of [node.port, node.controllerPort]) {
        if (await portOpen(p)) throw new Error(`port ${p} of node ${node.id} is taken by something that is not this cluster's node`);
      }
      fetchJars();
      prepare(node, all, home, heap);
      launched.push(node);
    }
    if (launched.length === 0) {
      say(`reusing the Kafka cluster already answering on ${brokerList(selected)}`);
      return false;
    }
    const t0 = Date.now();
    // All at once: a node's broker answers only once a quorum of controllers has elected a leader.
    for (const node of launched) launch(node, heap);
    for (const node of launched) {
      for (;;) {
        if (readPid(node.pidFile) === undefined) throw new Error(`node ${node.id} exited during start; see ${node.logFile}`);
        if (await brokerAnswers(node.port)) break;
        if (Date.now() - t0 > startTimeoutMs) throw new Error(`node ${node.id} did not answer within ${startTimeoutMs} ms; see ${node.logFile}`);
        await sleep(300);
      }
    }
    say(
      `Apache Kafka ${kafkaVersion()} (KRaft, ${all.length} nodes as broker+controller) ready on ${brokerList(all)} in ${Date.now() - t0} ms; ` +
        `started node${launched.length > 1 ? 's' : ''} ${launched.map((x) => x.id).join(', ')}; logs in ${home}/node-<id>/broker.log`,
    );
    return true;
  });
}

async function stop(selected) {
  // Together: a node stopping alone hands its leaderships over first, and the last ones have no
  // one to hand them to either way.
  const results = await Promise.all(selected.map(async (node) => ({ node, stopped: await stopProcess(node.pidFile) })));
  for (const { node, stopped } of results) {
    if (!stopped) say(`node ${node.id}: not running (no process started by this launcher)`);
    else say(`node ${node.id}: ${stopped.killed ? 'killed after 30 s' : 'stopped'} (pid ${stopped.pid})`);
  }
}

const brokerList = (nodes) => nodes.map((x) => `127.0.0.1:${x.port}`).join(',');

async function describe(nodes) {
  return Promise.all(
    nodes.map(async (x) => ({
      id: x.id,
      port: x.port,
      controller_port: x.controllerPort,
      pid: readPid(x.pidFile) ?? null,
      pid_file: x.pidFile,
      log: x.logFile,
      up: await brokerAnswers(x.port),
    })),
  );
}

/** Runs one launcher command against the cluster; resolves with the exit code. */
export async function clusterMain(argv, n) {
  const cmd = argv[0] && !argv[0].startsWith('--') ? argv[0] : 'start';
  try {
    if (argv.includes('--sasl') || argv.includes('--tls')) throw new Error('--sasl and --tls run a single broker: they do not combine with --brokers');
    const conf = layout(n);
    const nodeArg = argv.indexOf('--node');
    const only = nodeArg >= 0 ? Number(argv[nodeArg + 1]) : undefined;
    if (only !== undefined && !conf.nodes.some((x) => x.id === only)) throw new Error(`--node must be a node id from 1 to ${n}`);
    const selected = only === undefined ? conf.nodes : conf.nodes.filter((x) => x.id === only);
    const answer = async (extra) =>
      process.stdout.write(
        JSON.stringify({ brokers: brokerList(conf.nodes), version: kafkaVersion(), ...replicationFor(n), ...extra, nodes: await describe(conf.nodes) }) + '\n',
      );
    if (cmd === 'start') await answer({ started: await start(selected, conf.nodes, conf) });
    else if (cmd === 'stop') await stop(selected);
    else if (cmd === 'status') {
      const nodes = await describe(conf.nodes);
      process.stdout.write(JSON.stringify({ brokers: brokerList(conf.nodes), nodes }) + '\n');
      return nodes.filter((x) => selected.some((s) => s.id === x.id)).every((x) => x.up) ? 0 : 1;
    } else if (cmd === 'fetch') fetchJars();
    else if (cmd === 'version') process.stdout.write(kafkaVersion() + '\n');
    else {
      say(`unknown command ${cmd}: use start | stop | status | fetch | version`);
      return 2;
    }
    return 0;
  } catch (e) {
    say(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
