// node bench/dist/tools/latency-tail.js <trace file> [--stalls=<dir>] [--broker-gc=<file>] [--at-least=<ms>] [--bin=<ms>]
//
// Where the latency phase's slowest events were, and what the processes were doing then. Reads the
// file `npm run bench -- --trace-latency <file>` writes (per event: publish, events record,
// deliveries record, receipt; ms since the epoch) and, with --stalls, the logs of the stall-log
// preload (tools/stall-log.ts) of the bench and the apps; --broker-gc adds the broker's pauses from
// a JVM unified GC log with utctime decorations (`jcmd <pid> VM.log output=<file> what=gc
// decorators=utctime,uptime`). Prints the events at or above --at-least (default: the p99) in bins of
// --bin ms (default 200) by publish time, each with its worst gateway / matcher / worker stage, and
// every stall of 10 ms or more from 100 ms before the bin to the end of its slowest event.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { percentile, round } from '../stats.js';

const args = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const traceFile = args.find((a) => !a.startsWith('--'));
if (!traceFile) throw new Error('usage: latency-tail.js <trace file> [--stalls=<dir>] [--broker-gc=<file>] [--at-least=<ms>] [--bin=<ms>]');

interface Traced {
  sent: number;
  published: number;
  produced: number;
  received: number;
}
const events: Traced[] = readFileSync(traceFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [sent, published, produced, received] = line.split(' ').map(Number) as [number, number, number, number];
    return { sent, published, produced, received };
  });
if (events.length === 0) throw new Error(`${traceFile} holds no events`);
// Loops, not Math.min(...list): a spread of 100,000 events can overflow the stack.
const t0 = events.reduce((min, e) => Math.min(min, e.sent), Infinity);
const lastSent = events.reduce((max, e) => Math.max(max, e.sent), -Infinity);
const latencies = events.map((e) => e.received - e.sent);
const threshold = round(Number(option('at-least') ?? percentile(latencies, 99)));
const binMs = Number(option('bin') ?? 200);
const seconds = (t: number) => ((t - t0) / 1000).toFixed(3);

interface Stall {
  at: number;
  ms: number;
  process: string;
  what: string;
}
const stalls: Stall[] = [];
const stallDir = option('stalls');
if (stallDir) {
  for (const file of readdirSync(stallDir).filter((f) => f.endsWith('.log'))) {
    const lines = readFileSync(path.join(stallDir, file), 'utf8').split('\n').filter(Boolean);
    const processName = lines[0]?.startsWith('app ') ? lines[0].split(' ')[2]! : file;
    for (const line of lines) {
      const [kind, at, ms, ...rest] = line.split(' ');
      if (kind === 'app' || kind === 'note' || at === undefined || ms === undefined) continue;
      stalls.push({ at: Number(at), ms: Number(ms), process: processName, what: [kind, ...rest].join(' ') });
    }
  }
}
const brokerGc = option('broker-gc');
if (brokerGc) {
  for (const line of readFileSync(brokerGc, 'utf8').split('\n')) {
    const m = /^\[([^\]]+)\]\[[^\]]*\] GC\(\d+\) (Pause [^(]*\([^)]*\))?.*? (\d+\.\d+)ms$/.exec(line);
    if (!m || !line.includes('Pause')) continue;
    stalls.push({ at: Date.parse(m[1]!.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')), ms: Number(m[3]), process: 'broker', what: (m[2] ?? 'gc pause').trim() });
  }
}
stalls.sort((a, b) => a.at - b.at);

console.log(
  `${events.length} events over ${((lastSent - t0) / 1000).toFixed(1)} s; p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms, max ${round(percentile(latencies, 100))} ms`,
);
const bins = new Map<number, Traced[]>();
for (const e of events) {
  if (e.received - e.sent < threshold) continue;
  const bin = Math.floor((e.sent - t0) / binMs);
  const slow = bins.get(bin);
  if (slow) slow.push(e);
  else bins.set(bin, [e]);
}
console.log(`${[...bins.values()].reduce((n, b) => n + b.length, 0)} events of ${threshold} ms or more, in ${bins.size} bins of ${binMs} ms:`);
for (const [bin, slow] of [...bins.entries()].sort((a, b) => a[0] - b[0])) {
  const worst = (f: (e: Traced) => number) => Math.round(Math.max(...slow.map(f)));
  const from = t0 + bin * binMs - 100;
  const to = Math.max(...slow.map((e) => e.received));
  console.log(
    `  ${seconds(t0 + bin * binMs)} s: ${slow.length} events, worst gateway / matcher / worker / total ${worst((e) => e.published - e.sent)} / ${worst((e) => e.produced - e.published)} / ${worst((e) => e.received - e.produced)} / ${worst((e) => e.received - e.sent)} ms`,
  );
  for (const s of stalls) if (s.at >= from && s.at <= to && s.ms >= 10) console.log(`      ${seconds(s.at)} s ${s.process} ${s.what} ${s.ms} ms`);
}
