import { percentOfCore } from './cpu-budget.js';
import { cpuSnapshot, cpuUsed, type MeteredProcesses } from './cpu-meter.js';
import { sleep } from './stats.js';

export interface IdleResult {
  seconds: number;
  /** Average over the phase; the broker is shared with whatever else uses it, so an upper bound. */
  cpu_percent_of_core: Record<string, number | undefined>;
}

/**
 * No traffic for `seconds`: what each process spends on polling, timers and heartbeats. A
 * short settle first lets the previous phase's last commits finish.
 */
export async function idleCost(processes: MeteredProcesses, seconds: number, settleMs = 2000): Promise<IdleResult> {
  await sleep(settleMs);
  const before = await cpuSnapshot(processes);
  await sleep(seconds * 1000);
  const used = cpuUsed(before, await cpuSnapshot(processes));
  return {
    seconds,
    cpu_percent_of_core: Object.fromEntries(
      Object.entries(used.seconds).map(([name, cpuS]) => [name, cpuS === undefined ? undefined : percentOfCore(cpuS, used.wallS)]),
    ),
  };
}
