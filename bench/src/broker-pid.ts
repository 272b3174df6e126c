import fs from 'node:fs';

/**
 * Finds the Kafka broker process answering on KAFKA_BROKERS' port, whichever checkout (or
 * script) started it: the bench charges its CPU to the pipeline, and a broker started from
 * another worktree is as much this run's broker as one started from here.
 */

/** What the discovery reads of the process table (procfs in production, a fake in tests). */
export interface ProcessTable {
  pids(): number[];
  /** The command line, arguments separated by NUL; undefined once the process is gone. */
  cmdline(pid: number): string | undefined;
  /** Inodes of the sockets the process holds open (empty when its fds are unreadable). */
  socketInodes(pid: number): Set<string>;
  /** A file's text (/proc/net/tcp, a broker's properties file); undefined if unreadable. */
  readFile(path: string): string | undefined;
}

/** The port of the first `host:port` in a KAFKA_BROKERS list. */
export function brokerPort(brokers: string): number | undefined {
  const first = brokers.split(',')[0]?.trim() ?? '';
  const m = /:(\d+)$/.exec(first);
  return m ? Number(m[1]) : undefined;
}

/** Inodes of the sockets listening (state 0A) on `port` in a /proc/net/tcp or tcp6 table. */
export function listeningInodes(table: string, port: number): string[] {
  const out: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl, local_address, rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode
    if (f.length < 10) continue;
    const localPort = parseInt(f[1]!.slice(f[1]!.lastIndexOf(':') + 1), 16);
    if (localPort === port && f[3] === '0A') out.push(f[9]!);
  }
  return out;
}

/** Ports of a broker properties file's `listeners` (e.g. `PLAINTEXT://127.0.0.1:9092,CONTROLLER://:9093`). */
export function listenerPorts(properties: string): number[] {
  const line = properties.split('\n').find((l) => /^\s*listeners\s*=/.test(l));
  if (!line) return [];
  return line
    .slice(line.indexOf('=') + 1)
    .split(',')
    .map((l) => /:(\d+)\s*$/.exec(l.trim())?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);
}

/**
 * The pid of the `kafka.Kafka` process listening on `port`: the one holding the listening
 * socket, or else (its fds unreadable) the one whose properties file (its last argument)
 * lists that port among its listeners.
 */
export function findBrokerPid(port: number, procs: ProcessTable): number | undefined {
  const candidates: { pid: number; args: string[] }[] = [];
  for (const pid of procs.pids()) {
    const cmd = procs.cmdline(pid);
    if (cmd?.includes('kafka.Kafka')) candidates.push({ pid, args: cmd.split('\0').filter(Boolean) });
  }
  const listening = new Set([
    ...listeningInodes(procs.readFile('/proc/net/tcp') ?? '', port),
    ...listeningInodes(procs.readFile('/proc/net/tcp6') ?? '', port),
  ]);
  for (const c of candidates) {
    const held = procs.socketInodes(c.pid);
    for (const inode of listening) if (held.has(inode)) return c.pid;
  }
  for (const c of candidates) {
    const config = c.args[c.args.length - 1];
    if (!config?.endsWith('.properties')) continue;
    if (listenerPorts(procs.readFile(config) ?? '').includes(port)) return c.pid;
  }
  return undefined;
}

const procfs: ProcessTable = {
  pids: () =>
    fs
      .readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map(Number),
  cmdline: (pid) => readOrUndefined(`/proc/${pid}/cmdline`),
  socketInodes(pid) {
    const out = new Set<string>();
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      return out;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) out.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
    return out;
  },
  readFile: readOrUndefined,
};

function readOrUndefined(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The broker answering on KAFKA_BROKERS' (first) port on this machine, read from procfs. */
export function brokerPid(brokers: string, procs: ProcessTable = procfs): number | undefined {
  const port = brokerPort(brokers);
  return port === undefined ? undefined : findBrokerPid(port, procs);
}
