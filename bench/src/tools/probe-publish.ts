#!/usr/bin/env node
// Development probe: single publishes at a fixed rate against a fresh system; prints client-side
// response times next to the gateway's own request-duration histogram (is the time in the gateway?).
import { GatewayClient, startSystem } from '@hookstream/test-kit';
import { repliedMessage } from '../pipeline.js';
import { percentile, sleep } from '../stats.js';

process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const rate = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 10);
const profileDir = process.env.HOOKSTREAM_CPU_PROFILE_DIR;
const preload = new URL('./cpu-profiler.js', import.meta.url).pathname;
const system = await startSystem({ partitions: 4, ...(profileDir ? { env: { NODE_OPTIONS: `--import=${preload}` } } : {}) });
try {
  const tenant = await system.admin.createTenant('probe');
  const api = new GatewayClient(system.gateway.baseUrl, tenant.api_key);
  const times: number[] = [];
  const slow: string[] = [];
  const t0 = Date.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const wait = t0 + (i / rate) * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    const s = performance.now();
    all.push(
      api.publish(repliedMessage(tenant.id)).then(() => {
        const ms = performance.now() - s;
        times.push(ms);
        if (ms > 50) slow.push(`${((Date.now() - t0) / 1000).toFixed(2)}s:${Math.round(ms)}`);
      }),
    );
  }
  await Promise.all(all);
  console.log(`slow (> 50 ms) at: ${slow.join(' ')}`);
  const lag = Date.now() - t0 - seconds * 1000;
  console.log(
    `client publish ms p50 ${percentile(times, 50).toFixed(1)} p95 ${percentile(times, 95).toFixed(1)} p99 ${percentile(times, 99).toFixed(1)} (pacing lag ${lag} ms)`,
  );
  const metrics = await (await fetch(`${system.gateway.opsUrl}/metrics`)).text();
  console.log(
    metrics
      .split('\n')
      .filter((l) => l.startsWith('hookstream_gateway_http_request_duration_seconds') && l.includes('/v1/events"'))
      .join('\n'),
  );
} finally {
  await system.stop();
}
