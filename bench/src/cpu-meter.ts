import { cpuBetween, cpuOf, cpuSeconds } from './cpu.js';

/** The processes whose CPU a phase charges to the pipeline. */
export interface MeteredProcesses {
  /** App name -> pid. */
  apps: Record<string, number | undefined>;
  /** The PostgreSQL backends serving the system's database (they come and go). */
  pgBackends(): Promise<number[]>;
  /** The broker, or every node of a cluster (shared with whatever else uses them meanwhile, so an upper bound). */
  brokerPids: number[];
}

export interface CpuSnapshot {
  atMs: number;
  apps: Record<string, number | undefined>;
  pg: Map<number, number>;
  broker: number | undefined;
  bench: NodeJS.CpuUsage;
}

/** Names under which the meter reports the non-app processes. */
export const POSTGRESQL = 'postgresql';
export const KAFKA = 'kafka';
export const BENCH = 'bench (publisher + receiver)';

export async function cpuSnapshot(p: MeteredProcesses): Promise<CpuSnapshot> {
  return {
    atMs: Date.now(),
    apps: Object.fromEntries(Object.entries(p.apps).map(([name, pid]) => [name, cpuSeconds(pid)])),
    pg: cpuOf(await p.pgBackends()),
    broker: p.brokerPids.length ? sumOrUndefined(p.brokerPids.map((pid) => cpuSeconds(pid))) : undefined,
    bench: process.cpuUsage(),
  };
}

/** The sum, or undefined when any part is unreadable (a node's share missing would understate Kafka's). */
function sumOrUndefined(values: Array<number | undefined>): number | undefined {
  return values.some((v) => v === undefined) ? undefined : values.reduce<number>((a, v) => a + v!, 0);
}

/** CPU seconds each process used between two snapshots (undefined where either was unreadable), and the wall time. */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): { wallS: number; seconds: Record<string, number | undefined> } {
  const diff = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? b - a : undefined);
  const benchUs = after.bench.user - before.bench.user + (after.bench.system - before.bench.system);
  return {
    wallS: (after.atMs - before.atMs) / 1000,
    seconds: {
      ...Object.fromEntries(Object.keys(before.apps).map((name) => [name, diff(before.apps[name], after.apps[name])])),
      [POSTGRESQL]: cpuBetween(before.pg, after.pg),
      [KAFKA]: diff(before.broker, after.broker),
      [BENCH]: benchUs / 1e6,
    },
  };
}

/** CPU ms per delivered event, per process; undefined where the CPU is unknown or nothing was delivered. */
export function msPerEvent(seconds: Record<string, number | undefined>, delivered: number): Record<string, number | undefined> {
  return Object.fromEntries(
    Object.entries(seconds).map(([name, cpuS]) => [
      name,
      cpuS === undefined || !(delivered > 0) ? undefined : Math.round(((cpuS * 1000) / delivered) * 1000) / 1000,
    ]),
  );
}
