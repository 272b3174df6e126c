#!/usr/bin/env node
// In-process throughput of the matcher's hot path (decode + validate + match + render + job
// serialization), with the subscription index built from 100 tenants x 1,000 webhooks. Reports the
// rate (events/s, deliveries/s) and, less sensitive to a busy machine, the CPU time per event.
//   npm run build && npm run matcher:match -w @hookstream/bench -- [--ms=3000] [--json] [--profile=DIR] [--filter] [--unmarked]
// Events are records as the gateway writes them (encodeEventRecord, marked as validated, so the
// matcher checks only their envelope); --unmarked gives records of another producer, whose data
// the matcher validates against the catalogue.
// --filter gives every webhook a payload filter (issue 19.1) that reads three event fields and lets
// the events through, so the run compares matching with filters against none at the same fan-out.
// Runs with the matcher's Node flags (MATCHER_NODE_FLAGS) unless a --max-semi-space-size is given.
// --profile=DIR writes a CPU profile of the measured loop only (read it with bench/dist/tools/profile-top.js).
// --heap-profile=DIR writes a sampling heap profile of the measured loop that keeps the samples the
// collector freed (what the loop allocates, not what it retains), and prints its top allocation sites.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { encodeEventRecord } from '@hookstream/schemas';
import { nodeFlagsOf } from '@hookstream/service-kit';
import { planMessages, type InputMessage } from '@hookstream/matcher/dist/jobs/plan.js';
import { SubscriptionIndex } from '@hookstream/matcher/dist/matching/subscription-index.js';
import { DEFAULT_SHAPE, sampleEvents, webhookRecords } from './workload.js';

// The matcher's own Node flags: its young generation decides how often the scavenger copies the
// slice in hand, a large share of this loop. Started without a young-generation flag, the bench
// starts itself again with the matcher's; one given on the command line is kept (to compare).
if (!process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  const child = spawnSync(process.execPath, [...nodeFlagsOf('matcher'), ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const durationMs = Number(args.get('ms') ?? 3000);
const json = args.has('json');
const profileDir = args.get('profile');
const heapProfileDir = args.get('heap-profile');
const SLICE = 500;
const filtered = args.has('filter');
const unmarked = args.has('unmarked');
// Passes every sample event (no comment is spam or deleted; a missing field passes $nin), so the
// deliveries match the run without filters and the difference is the filters' own cost. Each
// webhook gets its own filter object (as read from its row), so nothing is shared between them.
const benchFilter = (i: number) => ({ type: { $exist: true }, data: { comment: { state: { $nin: ['spam', `deleted-${i}`] } } }, source: { $startsWith: '' } });

const t0 = performance.now();
const records = webhookRecords(DEFAULT_SHAPE).map((r, i) => (filtered ? { ...r, spec: { ...r.spec, filter: benchFilter(i) } } : r));
const generatedMs = performance.now() - t0;
const heapBefore = process.memoryUsage().heapUsed;
const t1 = performance.now();
const index = new SubscriptionIndex('https://hookstream.example');
for (const r of records) index.upsert(r);
const indexMs = performance.now() - t1;
const heapIndex = process.memoryUsage().heapUsed - heapBefore;

const events = sampleEvents(20_000, DEFAULT_SHAPE);
// Bytes, as kafkajs hands them over.
const messages: InputMessage[] = events.map((e, i) => {
  const record = encodeEventRecord(e, { validated: !unmarked, webhooksSeq: 1 });
  const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
  return { offset: String(i), value: Buffer.from(record.value), headers, timestamp: String(Date.now()) };
});

// Warm-up (JIT, validator compilation).
for (let i = 0; i < 4; i++) planMessages(messages.slice(i * SLICE, (i + 1) * SLICE), { topic: 'bench', partition: 0 }, index);

// The set-up (100k webhook records, 20k events and their records) leaves hundreds of MB of
// garbage promoted to the old generation; collected inside the measured loop, it cost a full
// mark-compact (135-365 ms) in some runs and not in others. The matcher's own garbage is what the
// loop measures, so the set-up's is collected before it starts.
v8.setFlagsFromString('--expose-gc');
(vm.runInNewContext('gc') as () => void)();

let processed = 0;
let jobs = 0;
let jobBytes = 0;
let matchedEvents = 0;
let filteredOut = 0;
let cursor = 0;
const profiler = profileDir ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  profiler.post('Profiler.enable');
  profiler.post('Profiler.start');
}
const heapProfiler = heapProfileDir ? new Session() : undefined;
if (heapProfiler) {
  heapProfiler.connect();
  heapProfiler.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const cpuStart = process.cpuUsage();
const start = performance.now();
while (performance.now() - start < durationMs) {
  const slice = messages.slice(cursor, cursor + SLICE);
  cursor = (cursor + SLICE) % messages.length;
  const plan = planMessages(slice, { topic: 'bench', partition: 0 }, index);
  processed += slice.length;
  jobs += plan.jobs.length;
  matchedEvents += plan.stats.matched;
  filteredOut += plan.stats.filtered;
  for (const j of plan.jobs) jobBytes += j.value.length;
}
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuMsPerEvent = (cpu.user + cpu.system) / 1000 / processed;
if (profiler && profileDir) {
  // An in-process session answers synchronously.
  profiler.post('Profiler.stop', (err, result) => {
    if (err) throw err;
    fs.mkdirSync(profileDir, { recursive: true });
    fs.writeFileSync(path.join(profileDir, `CPU.match-bench.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
}
if (heapProfiler && heapProfileDir) {
  heapProfiler.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) throw err;
    fs.mkdirSync(heapProfileDir, { recursive: true });
    fs.writeFileSync(path.join(heapProfileDir, `match-bench.${process.pid}.heapprofile`), JSON.stringify(result.profile));
    process.stderr.write(topAllocations(result.profile, processed));
  });
}

const result = {
  filters: filtered,
  marked_validated: !unmarked,
  webhooks: records.length,
  tenants: DEFAULT_SHAPE.tenants,
  index_build_ms: Math.round(indexMs),
  index_heap_mb: Math.round(heapIndex / 1e6),
  events_per_s: Math.round(processed / seconds),
  matched_events_per_s: Math.round(matchedEvents / seconds),
  deliveries_per_s: Math.round(jobs / seconds),
  filtered_out: filteredOut,
  cpu_ms_per_event: Number(cpuMsPerEvent.toFixed(4)),
  mean_fanout: Number((jobs / processed).toFixed(2)),
  mean_job_bytes: Math.round(jobBytes / Math.max(1, jobs)),
  seconds: Number(seconds.toFixed(2)),
  generated_ms: Math.round(generatedMs),
};
if (json) {
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  process.stdout.write(
    [
      `subscription index: ${result.webhooks} webhooks (${result.tenants} tenants x ${DEFAULT_SHAPE.webhooksPerTenant}) built in ${result.index_build_ms} ms, ~${result.index_heap_mb} MB heap`,
      `payload filters: ${filtered ? `one on every webhook (${filteredOut} matches filtered out)` : 'none'}`,
      `events: ${unmarked ? 'from another producer (data validated by the matcher)' : 'as the gateway writes them (data validated by the gateway, the matcher checks the envelope)'}`,
      `matching + rendering, one core: ${result.events_per_s} events/s (${result.matched_events_per_s} matched events/s), ${result.deliveries_per_s} deliveries/s`,
      `CPU per event: ${result.cpu_ms_per_event} ms (user + system, process.cpuUsage)`,
      `mean fan-out ${result.mean_fanout} jobs/event, mean job ${result.mean_job_bytes} bytes, over ${result.seconds} s`,
    ].join('\n') + '\n',
  );
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** Bytes allocated per event by function (self), largest first. */
function topAllocations(profile: { head: SamplingNode }, events: number, top = 30): string {
  const sums = new Map<string, number>();
  let total = 0;
  const walk = (n: SamplingNode) => {
    const f = n.callFrame;
    const url = f.url.replace(/^.*\/(node_modules|apps|packages)\//, '');
    const k = `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
    sums.set(k, (sums.get(k) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  const lines = [...sums].sort((a, b) => b[1] - a[1]).slice(0, top);
  return (
    [
      `allocated in the loop: ${Math.round(total / events)} bytes per event`,
      ...lines.map(([k, v]) => `${String(Math.round(v / events)).padStart(7)} B/event ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`),
    ].join('\n') + '\n'
  );
}
