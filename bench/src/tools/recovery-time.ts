#!/usr/bin/env node
// node bench/dist/tools/recovery-time.js [--faults=delivery-worker,matcher,gateway] [--instances=1]
//   [--restart-after=2000|none] [--rate=100] [--load-ms=45000] [--kill-at=10000] [--partitions=6]
//   [--webhooks=1] [--env=NAME=value ...]
//
// How long delivery stops when an app instance is SIGKILLed under load, seen at a real receiver.
// Starts the three apps as separate processes (test-kit startSystem, --instances of the matcher
// and of the worker), publishes --rate events/s in batches of 10 through the gateway for
// --load-ms, SIGKILLs one instance of the app --kill-at ms into the load and starts a fresh one
// --restart-after ms later (as `npm start`'s supervisor does; `none`: the remaining instances
// take over alone). Every event goes to --webhooks webhooks (jobs are keyed by webhook: with
// several, they spread over the worker's partitions, events spread over the matcher's by id).
// Per fault it prints: when delivery of events published after the kill resumed, the longest
// silence at the receiver, publish-to-receipt p99 and max during the fault (with a surviving
// instance the max is the stall of the dead one's partitions), lost
// and duplicated deliveries (by webhook-id), how long the replacement took to be ready, and the
// risk side of short sessions: the longest event-loop block each app reported
// (nodejs_eventloop_lag_max_seconds, scraped every second) and how often a worker (re)joined its
// group. --env sets app settings (compare CONSUMER_SESSION_TIMEOUT_MS=30000 with the defaults).
// Needs a built tree, PostgreSQL (HOOKSTREAM_TEST_PG_URL) and a broker on KAFKA_BROKERS.
// Writes bench/results/recovery.json.
import fs from 'node:fs';
import path from 'node:path';
import {
  deliveryStall,
  freshEvent,
  GatewayClient,
  metric,
  repoRoot,
  runLoad,
  sleep,
  startReceiver,
  startSystem,
  tokenWebhookSpec,
  uniqueId,
  waitFor,
  type AppName,
  type AppProcess,
  type Received,
} from '@hookstream/test-kit';

const arg = (name: string, fallback: string) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
const faults = arg('faults', 'delivery-worker,matcher').split(',') as AppName[];
const instances = Number(arg('instances', '1'));
const restartAfter = arg('restart-after', '2000');
const rate = Number(arg('rate', '100'));
const loadMs = Number(arg('load-ms', '45000'));
const killAt = Number(arg('kill-at', '10000'));
const partitions = Number(arg('partitions', '6'));
const webhooks = Number(arg('webhooks', '1'));
const appEnv = Object.fromEntries(
  process.argv.filter((a) => a.startsWith('--env=')).map((a) => [a.slice(6, a.indexOf('=', 6)), a.slice(a.indexOf('=', 6) + 1)] as const),
);
process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (m: string) => process.stderr.write(`[recovery] ${m}\n`);
const eventIdOf = (r: Received) => (r.body as { event_id?: string } | undefined)?.event_id;

const receiver = await startReceiver();
const system = await startSystem({
  partitions,
  matchers: instances,
  workers: instances,
  env: { MATCHER_GROUP_ID: `${uniqueId('recovery')}.matcher`, ...appEnv },
});
const running: Record<AppName, AppProcess[]> = { gateway: [system.gateway], matcher: [...system.matchers], 'delivery-worker': [...system.workers] };
const everyWorker: AppProcess[] = [...system.workers];
const results: Record<string, unknown>[] = [];
try {
  for (const app of faults) {
    const tenant = await system.admin.createTenant(uniqueId(`recovery-${app}-`));
    const api = new GatewayClient(running.gateway[0]!.baseUrl, tenant.api_key);
    const paths = Array.from({ length: webhooks }, (_, i) => `/recovery/${app}/${i}`);
    for (const p of paths) await api.createWebhook(tokenWebhookSpec(`${receiver.url}${p}`, { email: ['replied-message'] }, { max_in_flight: 64 }));
    // The matcher learns of the webhooks through LISTEN/NOTIFY: wait until a probe reaches them all.
    await waitFor(
      async () => {
        const probe = freshEvent('replied-message', tenant.id);
        await api.publish(probe);
        return waitFor(() => paths.every((p) => receiver.at(p).some((r) => eventIdOf(r) === probe.id)), { timeoutMs: 3000, what: 'probe' }).catch(() => false);
      },
      { timeoutMs: 60_000, what: 'a probe delivery' },
    );
    const joinsBefore = everyWorker.reduce((n, w) => n + w.output().filter((l) => l.includes('joined the consumer group')).length, 0);
    const lagMax: Record<string, number> = {};
    // The first scrape of a process covers its start (imports, schema compilation) before it
    // joined any group: not a risk to its membership, so it is left out.
    const scraped = new Set<AppProcess>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const [name, procs] of Object.entries(running)) {
          for (const proc of procs) {
            const v = await metric(proc.opsUrl, 'nodejs_eventloop_lag_max_seconds');
            if (v !== undefined && scraped.has(proc)) lagMax[name] = Math.max(lagMax[name] ?? 0, v);
            if (v !== undefined) scraped.add(proc);
          }
        }
        await sleep(1000);
      }
    })();
    const batch = 10;
    const load = runLoad({
      // A killed gateway's address until its replacement runs: the client's retries fail meanwhile, as they would.
      baseUrl: () => (running.gateway[running.gateway.length - 1] ?? system.gateway).baseUrl,
      apiKey: tenant.api_key,
      nextBatch: (n) => Array.from({ length: n }, () => freshEvent('replied-message', tenant.id)),
      batchSize: batch,
      intervalMs: Math.max(1, Math.round((1000 * batch) / rate)),
      durationMs: loadMs,
    });
    await sleep(killAt);
    const victim = running[app].shift()!;
    const faultAt = Date.now();
    await victim.stop('SIGKILL');
    log(`${app}: SIGKILL at +${killAt} ms into the load`);
    let readyAfterMs: number | undefined;
    if (restartAfter !== 'none') {
      await sleep(Number(restartAfter));
      const fresh = await system.add(app);
      readyAfterMs = Date.now() - faultAt;
      running[app].push(fresh);
      if (app === 'delivery-worker') everyWorker.push(fresh);
      log(`${app}: replacement ready ${readyAfterMs} ms after the kill`);
    }
    const sent = await load;
    await waitFor(() => paths.every((p) => receiver.uniqueIds(p).size >= sent.accepted.length + 1), {
      timeoutMs: 120_000,
      intervalMs: 250,
      what: 'every accepted event',
    }).catch(() => undefined);
    sampling = false;
    await sampler;
    const accepted = new Set(sent.accepted);
    const receipts = paths.flatMap((p) => receiver.at(p)).filter((r) => accepted.has(eventIdOf(r) ?? ''));
    const delivered = new Set(receipts.filter((r) => r.status < 300).map((r) => `${r.path} ${eventIdOf(r)}`));
    // Per webhook (a worker partition holds whole webhooks), then the worst of them.
    const perPath = paths.map((p) => deliveryStall({ receipts: receipts.filter((r) => r.path === p), publishedAt: sent.publishedAt, faultAt, eventIdOf }));
    const worst = (f: (x: (typeof perPath)[number]) => number | undefined) => Math.max(...perPath.map((x) => f(x) ?? Number.NaN));
    const stall = {
      resumedAfterMs: worst((x) => x.resumedAfterMs),
      longestGapMs: worst((x) => x.longestGapMs),
      latencyDuringFault: { p99: worst((x) => x.latencyDuringFault.p99), max: worst((x) => x.latencyDuringFault.max) },
    };
    const joins = everyWorker.reduce((n, w) => n + w.output().filter((l) => l.includes('joined the consumer group')).length, 0) - joinsBefore;
    const result = {
      fault: `sigkill_${app}`,
      instances,
      restart_after_ms: restartAfter === 'none' ? null : Number(restartAfter),
      resumed_after_ms: stall.resumedAfterMs ?? null,
      longest_gap_ms: stall.longestGapMs,
      p99_during_fault_ms: stall.latencyDuringFault.p99,
      max_during_fault_ms: stall.latencyDuringFault.max,
      webhooks,
      replacement_ready_after_ms: readyAfterMs ?? null,
      accepted: accepted.size,
      lost: accepted.size * paths.length - delivered.size,
      duplicated: receipts.filter((r) => r.status < 300).length - delivered.size,
      worker_group_joins: joins,
      event_loop_lag_max_s: lagMax,
    };
    log(JSON.stringify(result));
    results.push(result);
  }
} finally {
  await system.stop();
  await receiver.close();
}
const settings = { rate, load_ms: loadMs, kill_at_ms: killAt, partitions, instances, restart_after: restartAfter, env: appEnv };
const out = path.join(repoRoot(), 'bench', 'results', 'recovery.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), settings, results }, null, 2)}\n`);
console.log(JSON.stringify({ settings, results }));
