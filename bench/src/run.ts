#!/usr/bin/env node
// npm run bench [-- --duration 60]: the pipeline against this machine's own ceilings.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createKafka, createLogger, ensureTopics } from '@hookstream/service-kit';
import { GatewayClient, repoRoot, startReceiver, startSystem, uniqueId } from '@hookstream/test-kit';
import { httpCeiling } from './ceiling-http.js';
import { kafkaCeiling } from './ceiling-kafka.js';
import { fanout } from './fanout.js';
import { latencyAt, repliedMessage, sustainedRate } from './pipeline.js';
import { peakRssMb } from './rss.js';
import { round } from './stats.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const duration = arg('duration', 60);
const phase = Math.max(2, Math.floor(duration / 6));
// The worker calls one endpoint with at most the webhook's max_in_flight requests at once:
// the bench webhooks set it to this value and ceiling A uses the same concurrency.
const concurrency = arg('concurrency', 32);
const partitions = arg('partitions', 4);
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

const root = repoRoot();
let startedKafka = false;
if (!process.env.KAFKA_BROKERS) {
  const out = execFileSync(process.execPath, [path.join(root, 'infra/kafka/kafka.mjs'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(out.trim().split('\n').pop()!) as { brokers: string; started: boolean };
  process.env.KAFKA_BROKERS = info.brokers;
  startedKafka = info.started;
}
process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

const receiver = await startReceiver();
const sample = JSON.stringify(repliedMessage('tenant').data);
try {
  log(`ceiling A: got -> receiver, concurrency ${concurrency}, ${phase} s`);
  const httpPerS = await httpCeiling(receiver, sample, concurrency, phase);

  log(`ceiling B: kafkajs relay through two topics (${partitions} partitions), ${phase} s`);
  const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS.split(','), clientId: 'bench', logger: createLogger('bench', 'error') });
  const admin = kafka.admin();
  await admin.connect();
  const prefix = `${uniqueId('bench')}.`;
  const relayTopics: [string, string] = [`${prefix}a`, `${prefix}b`];
  await ensureTopics(admin, relayTopics.map((topic) => ({ topic, numPartitions: partitions })));
  const kafkaPerS = await kafkaCeiling(kafka, relayTopics, JSON.stringify(repliedMessage('tenant')), phase);
  await admin.deleteTopics({ topics: relayTopics }).catch(() => undefined);
  await admin.disconnect();

  log('starting gateway, matcher and delivery worker as separate processes');
  const system = await startSystem({ partitions });
  try {
    const setup = async (name: string, endpoints: string[]) => {
      const tenant = await system.admin.createTenant(name);
      const api = new GatewayClient(system.gateway.baseUrl, tenant.api_key);
      for (const p of endpoints) {
        await api.createWebhook({
          enabled: true,
          endpoint: `${receiver.url}${p}`,
          auth_type: 'partner_secret_token',
          auth_config: { token: 'bench-token-0123456789' },
          retry_base: 1,
          retry_max_count: 5,
          max_in_flight: concurrency,
          registered_events: { email: ['replied-message'], 'in-app': [] },
        });
      }
      return { tenant, api };
    };
    const p = await setup('bench-pipeline', ['/pipeline']);
    const l = await setup('bench-latency', ['/latency']);
    const f = await setup('bench-fanout', Array.from({ length: 100 }, (_, i) => `/fanout/${i}`));
    await new Promise((r) => setTimeout(r, 1500)); // webhooks reach the matcher's index

    log(`pipeline: maximum sustained rate, ${phase * 2} s`);
    const sustained = await sustainedRate(p.api, p.tenant.id, receiver, '/pipeline', phase * 2);
    const half = Math.max(10, Math.round(sustained.delivered_per_s / 2));
    log(`pipeline: latency at ${half} events/s (about half the maximum), ${phase * 2} s`);
    const latency = await latencyAt(l.api, l.tenant.id, receiver, '/latency', half, phase * 2);
    log('fan-out: one event to 100 webhooks');
    const fan = await fanout(f.api, f.tenant.id, receiver, 100, Math.max(5, phase));

    const rss = {
      gateway: peakRssMb(system.gateway.child.pid),
      matcher: peakRssMb(system.matchers[0]?.child.pid),
      'delivery-worker': peakRssMb(system.workers[0]?.child.pid),
    };
    const results = {
      at: new Date().toISOString(),
      machine: { cores: (await import('node:os')).cpus().length, node: process.version },
      settings: { duration_s: duration, phase_s: phase, concurrency, partitions },
      pipeline: {
        accepted_per_s: round(sustained.accepted_per_s),
        delivered_per_s: round(sustained.delivered_per_s),
        accepted: sustained.accepted,
        delivered: sustained.delivered,
        latency_rate_per_s: latency.rate_per_s,
        p50_ms: latency.p50_ms,
        p95_ms: latency.p95_ms,
        p99_ms: latency.p99_ms,
        lost: sustained.lost + latency.lost,
        duplicated: sustained.duplicated,
      },
      ceilings: { http_per_s: round(httpPerS), kafka_per_s: round(kafkaPerS) },
      ratio_to_ceiling: round(sustained.delivered_per_s / Math.min(httpPerS, kafkaPerS), 3),
      fanout: { webhooks: fan.webhooks, events: fan.events, deliveries: fan.deliveries, deliveries_per_s: round(fan.deliveries_per_s) },
      rss_mb: rss,
    };
    const dir = path.join(root, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
    const rows: [string, string][] = [
      ['ceiling A: raw HTTP (got -> receiver)', `${results.ceilings.http_per_s} req/s`],
      ['ceiling B: raw Kafka relay (2 topics)', `${results.ceilings.kafka_per_s} msg/s`],
      ['pipeline accepted', `${results.pipeline.accepted_per_s} events/s`],
      ['pipeline delivered', `${results.pipeline.delivered_per_s} events/s`],
      ['ratio to min(ceiling A, B)', `${results.ratio_to_ceiling}`],
      [`latency at ${latency.rate_per_s}/s p50 / p95 / p99`, `${latency.p50_ms} / ${latency.p95_ms} / ${latency.p99_ms} ms`],
      ['lost / duplicated', `${results.pipeline.lost} / ${results.pipeline.duplicated}`],
      ['fan-out 1 -> 100 webhooks', `${results.fanout.deliveries_per_s} deliveries/s`],
      ['peak RSS gateway / matcher / worker', `${rss.gateway} / ${rss.matcher} / ${rss['delivery-worker']} MiB`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));
    console.log(`\nwritten to bench/results/latest.json`);
  } finally {
    await system.stop();
  }
} finally {
  await receiver.close();
  if (startedKafka) execFileSync(process.execPath, [path.join(root, 'infra/kafka/kafka.mjs'), 'stop'], { stdio: 'inherit' });
}
