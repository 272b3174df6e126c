import { round } from './stats.js';

/** The events/s the machine could carry if CPU were the only limit, and where the CPU goes. */
export interface CpuBudget {
  cores: number;
  /** Sum of the measured CPU ms per event of every process. */
  total_ms_per_event: number;
  /** cores × 1000 / total_ms_per_event. */
  events_per_s: number;
  /** Each process's fraction of total_ms_per_event (largest first). */
  shares: Record<string, number>;
  /** Processes with no figure (not measured, or unreadable): the budget is then too high. */
  missing: string[];
}

/**
 * `cores` divided by the CPU one event costs across all processes: at that rate every core
 * would be busy all the time. Above the delivered rate, the difference is time the pipeline
 * spends waiting (round trips, batching delays, cores shared with other work), not computing.
 */
export function cpuBudget(msPerEvent: Record<string, number | undefined>, cores: number): CpuBudget {
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`cpuBudget: cores must be a positive integer, got ${cores}`);
  const measured: [string, number][] = [];
  const missing: string[] = [];
  for (const [name, ms] of Object.entries(msPerEvent)) {
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) missing.push(name);
    else measured.push([name, ms]);
  }
  const total = measured.reduce((sum, [, ms]) => sum + ms, 0);
  measured.sort((a, b) => b[1] - a[1]);
  return {
    cores,
    total_ms_per_event: round(total, 3),
    events_per_s: total > 0 ? round((cores * 1000) / total) : NaN,
    shares: Object.fromEntries(measured.map(([name, ms]) => [name, total > 0 ? round(ms / total, 3) : NaN])),
    missing,
  };
}

/** CPU seconds used over a wall-clock span, as a percentage of one core. */
export function percentOfCore(cpuSeconds: number, wallSeconds: number): number {
  if (!(wallSeconds > 0)) throw new Error(`percentOfCore: wall time must be positive, got ${wallSeconds}`);
  return round((cpuSeconds / wallSeconds) * 100, 2);
}
