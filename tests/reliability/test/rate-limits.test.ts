import { startReceiver, waitFor, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { recordResults } from './support/results.js';
import { event, newTenant, startReliabilitySystem, subscribe } from './support/system.js';

const TENANT_RATE = 20;
const WEBHOOK_RATE = 5;

/** Most requests seen in any window of `windowMs` (sliding over the arrival times). */
function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('rate limits are enforced', () => {
  let system: TestSystem;
  let receiver: Receiver;
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    [system, receiver] = await Promise.all([
      startReliabilitySystem({ partitions: 1, env: { TENANT_RATE_LIMIT_PER_S: String(TENANT_RATE), TENANT_RATE_LIMIT_BURST: String(TENANT_RATE) } }),
      startReceiver(),
    ]);
  });
  afterAll(async () => {
    recordResults({ rate_limits: measured });
    await system?.stop();
    await receiver?.close();
  });

  it('the gateway answers 429 with Retry-After past the tenant rate, and lets through no more than the bucket allows', async () => {
    const tenant = await newTenant(system, 'rate');
    const t0 = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 120 }, () =>
        tenant.api.request('POST', '/v1/events', event('liked-message', tenant.id), { 'content-type': 'application/cloudevents+json' }),
      ),
    );
    const elapsedS = (Date.now() - t0) / 1000;
    const ok = answers.filter((a) => a.status === 202).length;
    const limited = answers.filter((a) => a.status === 429);
    measured.gateway = { requests: answers.length, accepted: ok, refused_429: limited.length, elapsed_s: elapsedS };
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((a) => Number(a.headers.get('retry-after')) >= 1 && typeof (a.body as { error?: unknown }).error === 'string')).toBe(true);
    // The bucket (burst) plus what refills while the requests were answered.
    expect(ok).toBeLessThanOrEqual(TENANT_RATE + Math.ceil(TENANT_RATE * elapsedS) + 1);
    expect(answers.every((a) => a.status === 202 || a.status === 429)).toBe(true);
  });

  it('the worker keeps to a webhook rate_limit_per_s and still delivers everything', async () => {
    const tenant = await newTenant(system, 'rate-webhook');
    await subscribe(tenant, receiver, ['/limited'], 'user-followed', { rate_limit_per_s: WEBHOOK_RATE });
    const events = Array.from({ length: 30 }, () => event('user-followed', tenant.id));
    await tenant.api.publishBatch(events);
    const ids = new Set(events.map((e) => e.id));
    await waitFor(() => receiver.at('/limited').filter((r) => ids.has((r.body as { event_id: string }).event_id)).length === ids.size, {
      timeoutMs: 60_000,
      what: 'every rate-limited delivery',
    });
    const times = receiver
      .at('/limited')
      .filter((r) => ids.has((r.body as { event_id: string }).event_id))
      .map((r) => r.receivedAt);
    const peaks = Object.fromEntries([1000, 2000, 3000].map((w) => [`max_in_any_${w / 1000}s`, maxInWindow(times, w)]));
    measured.webhook = { rate_limit_per_s: WEBHOOK_RATE, deliveries: times.length, ...peaks, spread_ms: Math.max(...times) - Math.min(...times) };
    // The documented token bucket (bursts of one second's worth): in any window of W seconds at
    // most rate x (1 + W) calls, so the average over a longer stretch tends to the rate.
    for (const w of [1, 2, 3]) expect(peaks[`max_in_any_${w}s`]).toBeLessThanOrEqual(WEBHOOK_RATE * (1 + w) + 1);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(((times.length - 2 * WEBHOOK_RATE) / WEBHOOK_RATE) * 1000);
  });
});
