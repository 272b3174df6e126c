import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root.js';

const run = promisify(execFile);

/** A Kafka broker of one test alone, on its own ports and data folder, that the test may stop and start. */
export interface PrivateBroker {
  brokers: string[];
  /** Stops the broker (SIGTERM; its data stays, so a restart keeps every topic and offset). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its data folder. */
  destroy(): Promise<void>;
  /** With `sasl: true`: the SCRAM user its client listener accepts (the password also in passwordFile). */
  sasl?: { username: string; password: string; passwordFile: string };
  /** With `tls: true` (and `sasl: true`): the throwaway CA that signed its certificate. */
  tls?: { caFile: string };
}

/**
 * Starts a broker with infra/kafka on the given ports with a fresh data folder. Never the
 * shared broker: the launcher's pid file lives in that private folder, so `stop` can only
 * reach the broker started here.
 */
export async function startPrivateBroker(opts: { port?: number; controllerPort?: number; sasl?: boolean; tls?: boolean } = {}): Promise<PrivateBroker> {
  const port = opts.port ?? 19192;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hookstream-broker-'));
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(opts.controllerPort ?? port + 1),
    KAFKA_HOME_DIR: home,
    KAFKA_HEAP: process.env.KAFKA_PRIVATE_HEAP ?? '384m',
    // The launcher's own user and password settings come from the test, not from the shell.
    KAFKA_SASL_USERNAME: undefined,
    KAFKA_SASL_PASSWORD: undefined,
  };
  const flags = [...(opts.sasl ? ['--sasl'] : []), ...(opts.tls ? ['--tls'] : [])];
  const launcher = path.join(repoRoot(), 'infra', 'kafka', 'kafka.mjs');
  const launch = async (cmd: 'start' | 'stop') => (await run(process.execPath, [launcher, cmd, ...flags], { env, timeout: 120_000 })).stdout;
  const answer = JSON.parse(await launch('start')) as { sasl?: { username: string; passwordFile: string }; tls?: { caFile: string } };
  const sasl = answer.sasl && { ...answer.sasl, password: fs.readFileSync(answer.sasl.passwordFile, 'utf8').trim() };
  return {
    brokers: [`127.0.0.1:${port}`],
    ...(sasl ? { sasl } : {}),
    ...(answer.tls ? { tls: answer.tls } : {}),
    stop: async () => void (await launch('stop')),
    start: async () => void (await launch('start')),
    async destroy() {
      await launch('stop').catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
