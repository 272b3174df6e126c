import type { Receiver } from '@hookstream/test-kit';
import { cpuBudget } from './cpu-budget.js';
import { cpuSnapshot, cpuUsed, msPerEvent, type MeteredProcesses } from './cpu-meter.js';
import { publishAtRate } from './pipeline.js';
import type { EventPublisher } from './publisher.js';
import { ReceiptTally } from './receipt-tally.js';
import { rssMb } from './rss.js';
import { percentile, round } from './stats.js';

export interface SteadyResult {
  rate_per_s: number;
  seconds: number;
  /** Events the gateway accepted. */
  events: number;
  delivered: number;
  lost: number;
  duplicated: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  cpu_ms_per_event: Record<string, number | undefined>;
  total_cpu_ms_per_event: number;
  /** Resident set of each app when the phase starts and when it ends: flat unless something leaks. */
  rss_mb_start: Record<string, number | undefined>;
  rss_mb_end: Record<string, number | undefined>;
}

/**
 * A moderate fixed rate (the latency phase's publisher: a request every 10 ms) for `seconds`
 * (up to the 10 minutes, so receipts are tallied as they come rather than kept):
 * each process's CPU per delivered event at that rate, where the fixed costs of every request,
 * fetch and produce are not amortised as they are at saturation.
 */
export async function steadyLoad(
  api: EventPublisher,
  tenantId: string,
  receiver: Receiver,
  path: string,
  ratePerS: number,
  seconds: number,
  processes: MeteredProcesses,
): Promise<SteadyResult> {
  const rss = () => Object.fromEntries(Object.entries(processes.apps).map(([name, pid]) => [name, rssMb(pid)]));
  const rssStart = rss();
  const before = await cpuSnapshot(processes);
  const tally = new ReceiptTally(receiver, path);
  let ticks = 0;
  // Once a second, the receiver's log is tallied and emptied (see ReceiptTally).
  const sentAt = await publishAtRate(api, tenantId, ratePerS, seconds, () => {
    if (++ticks % 100 === 0) tally.collect();
  });
  await tally.drain(sentAt);
  const used = cpuUsed(before, await cpuSnapshot(processes));
  const latencies: number[] = [];
  for (const [id, at] of sentAt) {
    const got = tally.firstReceipt.get(id);
    if (got !== undefined) latencies.push(got - at);
  }
  const delivered = latencies.length;
  const cpu = msPerEvent(used.seconds, delivered);
  return {
    rate_per_s: ratePerS,
    seconds,
    events: sentAt.size,
    delivered,
    lost: sentAt.size - delivered,
    duplicated: tally.duplicated,
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
    p99_ms: round(percentile(latencies, 99)),
    cpu_ms_per_event: cpu,
    total_cpu_ms_per_event: cpuBudget(cpu, 1).total_ms_per_event,
    rss_mb_start: rssStart,
    rss_mb_end: rss(),
  };
}
