import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@hookstream/test-kit';
import type { FaultCount } from './counting.js';

/** tests/reliability/results/latest.json: the shape plus the supporting measurements. */
export interface ReliabilityResults {
  faults: FaultCount[];
  retry_timing_ms?: { p50: number; p99: number; max: number; count?: number; deliveries_in_retry?: number; min?: number; within_1s_share?: number };
  audit_10m?: Record<string, unknown>;
  [extra: string]: unknown;
}

export const RESULTS_FILE = path.join(repoRoot(), 'tests', 'reliability', 'results', 'latest.json');

function read(): ReliabilityResults {
  try {
    const parsed = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as ReliabilityResults;
    return { ...parsed, faults: Array.isArray(parsed.faults) ? parsed.faults : [] };
  } catch {
    return { faults: [] };
  }
}

/**
 * Merges what one test measured into the results file: faults replace the entry of the
 * same name, other keys replace theirs, everything else measured before is kept (the fast
 * and the long part each add their own). Test files run one at a time (maxWorkers 1).
 */
export function recordResults(update: { faults?: FaultCount[] } & Record<string, unknown>): void {
  const current = read();
  const { faults = [], ...rest } = update;
  const byName = new Map(current.faults.map((f) => [f.name, f]));
  for (const f of faults) {
    const { name, accepted, delivered, lost, duplicated, stall } = f;
    byName.set(name, { name, accepted, delivered, lost, duplicated, ...(stall ? { stall } : {}) });
  }
  const next: ReliabilityResults = { ...current, ...rest, faults: [...byName.values()], updated_at: new Date().toISOString() };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(next, null, 2)}\n`);
}
