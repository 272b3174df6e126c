import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** One node (broker + controller) of a private cluster. */
export interface ClusterNode {
  /** Its `node.id`, which is also its broker id in Kafka's metadata. */
  id: number;
  port: number;
  /** The running JVM's pid, or undefined when it is down. */
  pid(): number | undefined;
  /** SIGKILL (no controlled shutdown) and wait until the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM through the launcher: a controlled shutdown that hands its leaderships over first. */
  stop(): Promise<void>;
  /** Starts it again on its data folder (the other nodes must be running) and waits until it answers. */
  start(): Promise<void>;
}

/** A cluster of KRaft nodes of one test alone (infra/kafka `--brokers N`), on its own ports and folder. */
export interface PrivateCluster {
  brokers: string[];
  nodes: ClusterNode[];
  /** Stops every node and deletes the folder. */
  destroy(): Promise<void>;
}

interface LauncherAnswer {
  brokers: string;
  nodes: Array<{ id: number; port: number; pid_file: string }>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `brokers` nodes with infra/kafka on ports `port`, `port + 1`, ... (controllers from
 * `port + 10`) with a fresh folder. Never a shared cluster: the pid files live in that folder, so
 * only the nodes started here can be stopped or killed.
 */
export async function startPrivateCluster(opts: { port: number; brokers?: number }): Promise<PrivateCluster> {
  const count = opts.brokers ?? 3;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hookstream-cluster-'));
  const env = { ...process.env, KAFKA_PORT: String(opts.port), KAFKA_CONTROLLER_PORT: String(opts.port + 10), KAFKA_HOME_DIR: home, KAFKA_HEAP: '384m' };
  const launcher = path.join(repoRoot(), 'infra', 'kafka', 'kafka.mjs');
  const launch = async (cmd: 'start' | 'stop', node?: number) =>
    (await run(process.execPath, [launcher, cmd, '--brokers', String(count), ...(node ? ['--node', String(node)] : [])], { env, timeout: 180_000 })).stdout;
  const answer = JSON.parse(await launch('start')) as LauncherAnswer;
  const pidOf = (pidFile: string) => {
    try {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
      return pid > 0 && alive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const nodes: ClusterNode[] = answer.nodes.map((n) => ({
    id: n.id,
    port: n.port,
    pid: () => pidOf(n.pid_file),
    async kill() {
      const pid = pidOf(n.pid_file);
      if (pid === undefined) return;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !alive(pid), { timeoutMs: 30_000, what: `node ${n.id} (pid ${pid}) gone after SIGKILL` });
    },
    stop: async () => void (await launch('stop', n.id)),
    start: async () => void (await launch('start', n.id)),
  }));
  return {
    brokers: answer.brokers.split(','),
    nodes,
    async destroy() {
      await launch('stop').catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
