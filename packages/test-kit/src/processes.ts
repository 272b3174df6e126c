import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { nodeFlagsOf } from '@hookstream/service-kit';
import { repoRoot } from './repo-root.js';
import { testInfra } from './environment.js';
import { waitFor } from './wait.js';

export type AppName = 'gateway' | 'matcher' | 'delivery-worker';

export interface AppProcess {
  name: AppName;
  child: ChildProcess;
  /** The gateway's API port; for the other apps, their operations port. */
  port: number;
  baseUrl: string;
  /** The operations port (OPS_PORT): /healthz, /readyz with details, /metrics. */
  opsPort: number;
  opsUrl: string;
  /** Every line the process wrote so far (stdout and stderr). */
  output(): string[];
  /** The lines it wrote from its start until it was ready (until it reported its port when not waiting for /readyz). */
  startOutput(): string[];
  /** Sends a signal and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
  exited: Promise<number | string>;
}

export interface StartAppOptions {
  env?: Record<string, string | undefined>;
  /** Wait for /readyz to answer 200 (default true). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

/**
 * Runs an app's compiled entry point as its own process, as in production, on an
 * ephemeral port. The caller supplies KAFKA_TOPIC_PREFIX and DATABASE_URL.
 */
export async function startApp(name: AppName, opts: StartAppOptions = {}): Promise<AppProcess> {
  const entry = path.join(repoRoot(), 'apps', name, 'dist', 'main.js');
  const lines: string[] = [];
  const env: Record<string, string | undefined> = {
    ...process.env,
    // Empty unless asked for (for example to preload a CPU profiler): jest's own options are not for the apps.
    NODE_OPTIONS: process.env.HOOKSTREAM_TEST_APP_NODE_OPTIONS ?? '',
    KAFKA_BROKERS: testInfra().brokers.join(','),
    LOG_LEVEL: process.env.HOOKSTREAM_TEST_APP_LOG_LEVEL ?? 'info',
    PORT: '0',
    OPS_PORT: '0',
    OPS_HOST: '127.0.0.1',
    HOST: '127.0.0.1',
    ...opts.env,
  };
  const child = spawn(process.execPath, [...nodeFlagsOf(name), entry], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let opsPort: number | undefined;
  let apiPort: number | undefined;
  const onData = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (process.env.HOOKSTREAM_TEST_ECHO_APPS) process.stderr.write(`[${name}] ${line}\n`);
      const ops = /"ops_port":(\d+)/.exec(line);
      if (ops && /"msg":"ready"/.test(line)) opsPort ??= Number(ops[1]);
      const api = /"port":(\d+)/.exec(line);
      if (api && /"msg":"gateway listening/.test(line)) apiPort ??= Number(api[1]);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let exitCode: number | string | undefined;
  void exited.then((c) => (exitCode = c));

  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  // A process that dies while starting fails the start at once, with its last lines.
  const diedStarting = exited.then((code) => {
    throw new Error(`${name} exited (${code}) during start:\n${lines.slice(-20).join('\n')}`);
  });
  diedStarting.catch(() => undefined);
  const orDied = <T>(p: Promise<T>): Promise<T> => Promise.race([p, diedStarting]);
  const reported = () => (opsPort !== undefined && (name !== 'gateway' || apiPort !== undefined) ? opsPort : undefined);
  const resolvedOpsPort = await orDied(waitFor(reported, { timeoutMs: readyTimeoutMs, what: `${name} to report its ports`, intervalMs: 50 })).catch(
    (e: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${e.message}\n${lines.slice(-20).join('\n')}`);
    },
  );
  const opsUrl = `http://127.0.0.1:${resolvedOpsPort}`;
  const resolvedPort = name === 'gateway' ? apiPort! : resolvedOpsPort;
  const baseUrl = `http://127.0.0.1:${resolvedPort}`;
  if (opts.waitReady !== false) {
    await orDied(
      waitFor(
        async () => {
          if (exitCode !== undefined) return false;
          const r = await fetch(`${opsUrl}/readyz`);
          return r.status === 200;
        },
        { timeoutMs: readyTimeoutMs, what: `${name} /readyz` },
      ),
    ).catch((e: Error) => {
      child.kill('SIGKILL');
      throw e;
    });
  }
  const linesAtReady = lines.length;
  return {
    name,
    child,
    port: resolvedPort,
    baseUrl,
    opsPort: resolvedOpsPort,
    opsUrl,
    output: () => lines,
    startOutput: () => lines.slice(0, linesAtReady),
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
