import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../repo-root.js';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__hookstreamTestInfra;
  if (!state) return;
  for (const c of state.containers) await c.stop();
  if (state.stopKafka) {
    execFileSync(process.execPath, [path.join(repoRoot(), 'infra', 'kafka', 'kafka.mjs'), 'stop'], { stdio: 'inherit' });
  }
}
