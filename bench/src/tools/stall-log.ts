// Preloaded into the bench and the apps with NODE_OPTIONS='--import <this file>' (`--app-env
// NODE_OPTIONS=--import=...` for the apps): what stopped or slowed a process, each with its
// start time (ms since the epoch), so the latency tail (`--trace-latency`) can be placed against
// it with `node bench/dist/tools/latency-tail.js`. Appends to $HOOKSTREAM_STALL_LOG_DIR/<pid>.log
// once a second, one line each:
//   app <pid> <name>                   the process (the first line)
//   gc <start> <ms> <minor|major|...>  a garbage collection's pause
//   lag <start> <ms>                   the event loop late by 15 ms or more (a 5 ms timer)
//   kafka-<request> <start> <ms>       a broker request of 15 ms or more (kafkajs 2.2.4's Broker)
//   pg <start> <ms> <statement>        a PostgreSQL statement of 15 ms or more (pg's Client.query)
// A development aid, never in production: the 5 ms timer and the wrappers cost a little CPU.
import { appendFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const dir = process.env.HOOKSTREAM_STALL_LOG_DIR;
const SLOW_MS = 15;
const LAG_TICK_MS = 5;

if (dir) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}.log`);
  // <package>/dist/<entry>.js: apps/gateway/dist/main.js is the gateway, bench/dist/run.js the bench.
  const name = (process.argv[1] ?? '').split(path.sep).slice(-3, -2)[0] || 'node';
  const lines: string[] = [`app ${process.pid} ${name}`];
  const at = (t: number) => Math.round(performance.timeOrigin + t);
  const kinds: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb', 16: 'minor' };

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
      lines.push(`gc ${at(e.startTime)} ${e.duration.toFixed(1)} ${kinds[kind] ?? kind}`);
    }
  }).observe({ entryTypes: ['gc'] });

  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - LAG_TICK_MS;
    if (late >= SLOW_MS) lines.push(`lag ${at(last + LAG_TICK_MS)} ${late.toFixed(1)}`);
    last = now;
  }, LAG_TICK_MS).unref();
  setInterval(() => {
    if (lines.length > 0) appendFileSync(file, lines.splice(0).join('\n') + '\n');
  }, 1000).unref();

  // The packages are the apps' own: resolved from the repository root, where npm installs them.
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  const slow = (label: string, start: number, rest = '') => {
    const ms = performance.now() - start;
    if (ms >= SLOW_MS) lines.push(`${label} ${at(start)} ${ms.toFixed(1)}${rest ? ` ${rest}` : ''}`);
  };
  type AsyncMethod = (...args: unknown[]) => Promise<unknown>;
  try {
    const Broker = require('kafkajs/src/broker/index.js') as { prototype: Record<string, AsyncMethod> };
    for (const request of ['produce', 'fetch', 'heartbeat', 'listOffsets', 'offsetCommit', 'offsetFetch', 'metadata']) {
      const original = Broker.prototype[request]!;
      Broker.prototype[request] = async function (this: unknown, ...args: unknown[]) {
        const start = performance.now();
        try {
          return await original.apply(this, args);
        } finally {
          // A fetch long-polls up to its wait: the wait is logged beside it.
          slow(`kafka-${request}`, start, request === 'fetch' ? `wait=${(args[0] as { maxWaitTime?: number })?.maxWaitTime ?? 0}` : '');
        }
      };
    }
  } catch {
    lines.push('note kafkajs not found: broker requests are not timed');
  }
  try {
    type Callback = (...args: unknown[]) => unknown;
    const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown) {
      const start = performance.now();
      const text = typeof config === 'string' ? config : ((config as { text?: string } | undefined)?.text ?? '');
      const done = () => slow('pg', start, text.replace(/\s+/g, ' ').slice(0, 60));
      const wrap = (f: Callback): Callback =>
        function (this: unknown, ...args: unknown[]) {
          done();
          return f.apply(this, args);
        };
      // knex passes a callback, the store's pooledQuery awaits a promise.
      if (typeof values === 'function') values = wrap(values as Callback);
      else if (typeof callback === 'function') callback = wrap(callback as Callback);
      const result = query.call(this, config, values, callback);
      if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, () => undefined);
      return result;
    };
  } catch {
    lines.push('note pg not found: statements are not timed');
  }
}
