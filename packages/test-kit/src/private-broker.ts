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
}

/**
 * Starts a broker with infra/kafka on the given ports with a fresh data folder. Never the
 * shared broker: the launcher's pid file lives in that private folder, so `stop` can only
 * reach the broker started here.
 */
export async function startPrivateBroker(opts: { port?: number; controllerPort?: number } = {}): Promise<PrivateBroker> {
  const port = opts.port ?? 19192;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hookstream-broker-'));
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(opts.controllerPort ?? port + 1),
    KAFKA_HOME_DIR: home,
    KAFKA_HEAP: process.env.KAFKA_PRIVATE_HEAP ?? '384m',
  };
  const launcher = path.join(repoRoot(), 'infra', 'kafka', 'kafka.mjs');
  const launch = async (cmd: 'start' | 'stop') => {
    await run(process.execPath, [launcher, cmd], { env, timeout: 120_000 });
  };
  await launch('start');
  return {
    brokers: [`127.0.0.1:${port}`],
    stop: () => launch('stop'),
    start: () => launch('start'),
    async destroy() {
      await launch('stop').catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
