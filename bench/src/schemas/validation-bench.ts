/**
 * Validation throughput of the contract's hot paths, printed as validations per second:
 * the gateway and the matcher validate every event, the control plane every webhook write.
 * Usage: npm run build && npm run schemas:validation -w @hookstream/bench -- [--ms=2000] [--json]
 */
import { performance } from 'node:perf_hooks';
import { fixtures, normalizeWebhookRequest, NotificationConfigSchema, validate, validateDeliveryJob, validateEvent } from '@hookstream/schemas';

interface Case {
  name: string;
  run: () => boolean;
}

const args = process.argv.slice(2);
const durationMs = Number(args.find((a) => a.startsWith('--ms='))?.slice('--ms='.length) ?? 1000);
const asJson = args.includes('--json');

const envelope = fixtures.envelope('replied-message');
const invalidEnvelope = fixtures.envelope('replied-message');
(invalidEnvelope.data as { comment: { content: unknown[] } }).comment.content = [{ type: 'video' }];
const jwtConfig = fixtures.webhookRequests.notificationJwt;
const job = fixtures.deliveryJob('replied-message');

const cases: Case[] = [
  { name: 'validateEvent(replied-message envelope + data)', run: () => validateEvent(envelope).ok },
  { name: 'validateEvent(invalid replied-message, errors formatted)', run: () => !validateEvent(invalidEnvelope).ok },
  { name: 'validate(NotificationConfig, client_secret_jwt example)', run: () => validate(NotificationConfigSchema, jwtConfig).ok },
  { name: 'normalizeWebhookRequest(client_secret_jwt example)', run: () => normalizeWebhookRequest(jwtConfig).ok },
  { name: 'validateDeliveryJob(replied-message job)', run: () => validateDeliveryJob(job).ok },
];

function measure(c: Case): { name: string; ops_per_s: number; iterations: number; ns_per_op: number } {
  if (!c.run()) throw new Error(`bench case gave an unexpected result: ${c.name}`);
  // Warm-up: let the JIT settle (and compile the validator) before timing.
  const warmUntil = performance.now() + Math.min(300, durationMs / 3);
  while (performance.now() < warmUntil) for (let i = 0; i < 100; i++) c.run();

  let iterations = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < 1000; i++) c.run();
    iterations += 1000;
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  return { name: c.name, ops_per_s: Math.round(iterations / seconds), iterations, ns_per_op: Math.round((seconds * 1e9) / iterations) };
}

const results = cases.map(measure);
if (asJson) {
  console.log(JSON.stringify({ node: process.version, duration_ms: durationMs, results }, null, 2));
} else {
  console.log(`@hookstream/schemas validation throughput (node ${process.version}, ${durationMs} ms per case)`);
  for (const r of results) {
    console.log(`${r.name.padEnd(60)} ${r.ops_per_s.toLocaleString('en-US').padStart(12)} validations/s  (${r.ns_per_op} ns/op)`);
  }
}
