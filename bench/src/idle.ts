import { percentOfCore } from './cpu-budget.js';
import { cpuSnapshot, cpuUsed, type MeteredProcesses } from './cpu-meter.js';
import { sleep } from './stats.js';

export interface IdleResult {
  seconds: number;
  /** Average over the phase; the broker is shared with whatever else uses it, so an upper bound. */
  cpu_percent_of_core: Record<string, number | undefined>;
  /**
   * The settle before it: the first seconds without traffic after a load, reported rather than
   * hidden. They hold each app's last commits and flushes and V8's memory-reducing collection of
   * the heap the load grew (once, 25-40 s after the traffic stops: about 150 ms of the worker's
   * CPU, which gives back ~85 MiB of its resident set).
   */
  after_load: { seconds: number; cpu_percent_of_core: Record<string, number | undefined> };
}

/**
 * No traffic for `seconds`: what each process spends on polling, timers and heartbeats. The
 * settle first lets the previous phase's one-off work (commits, flushes, V8 giving the load's heap
 * back) end, so the phase measures the rate that lasts; the settle's own CPU is reported beside it.
 */
export async function idleCost(processes: MeteredProcesses, seconds: number, settleMs = 2000): Promise<IdleResult> {
  const percents = (used: ReturnType<typeof cpuUsed>) =>
    Object.fromEntries(Object.entries(used.seconds).map(([name, cpuS]) => [name, cpuS === undefined ? undefined : percentOfCore(cpuS, used.wallS)]));
  const settleStart = await cpuSnapshot(processes);
  await sleep(settleMs);
  const before = await cpuSnapshot(processes);
  await sleep(seconds * 1000);
  const used = cpuUsed(before, await cpuSnapshot(processes));
  const settled = cpuUsed(settleStart, before);
  return {
    seconds,
    cpu_percent_of_core: percents(used),
    after_load: { seconds: Number(settled.wallS.toFixed(1)), cpu_percent_of_core: percents(settled) },
  };
}
