import { distribution, waitFor, type TestSystem } from '@hookstream/test-kit';
import { startFirstTryFailsReceiver } from './support/first-try-fails.js';
import { histogramShares } from './support/ops.js';
import { recordResults } from './support/results.js';
import { event, newTenant, startReliabilitySystem } from './support/system.js';

/** 10 000 in the long part. */
const DELIVERIES = Number(process.env.RELIABILITY_RETRY_DELIVERIES ?? 1000);
const WEBHOOKS = 10;

describe('retry timing under load', () => {
  let system: TestSystem;
  let receiver: Awaited<ReturnType<typeof startFirstTryFailsReceiver>>;

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startReliabilitySystem({ partitions: 3 }), startFirstTryFailsReceiver()]);
  });
  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it(`fires ${DELIVERIES} due retries close to their due time`, async () => {
    const tenant = await newTenant(system, 'retry-timing');
    // Half the webhooks wait 1^1 = 1 s before their retry, half 2^1 = 2 s.
    const base = new Map<string, number>();
    for (let i = 0; i < WEBHOOKS; i++) {
      const retryBase = i % 2 === 0 ? 1 : 2;
      await tenant.api.createWebhook({
        enabled: true,
        endpoint: `${receiver.url}/r${i}`,
        auth_type: 'partner_secret_token',
        auth_config: { token: `tok-retry-timing-${i}-0123456789` },
        retry_base: retryBase,
        retry_max_count: 3,
        max_in_flight: 100,
        registered_events: { email: ['user-mentioned'], 'in-app': [] },
      });
      base.set(`/r${i}`, retryBase);
    }
    // Wait until the matcher knows all of them (a probe reaches each webhook twice: refused, then retried).
    await waitFor(
      async () => {
        await tenant.api.publish(event('user-mentioned', tenant.id));
        const paths = new Set([...receiver.attempts.values()].map((a) => a.path));
        return paths.size === WEBHOOKS;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: 'every webhook matched' },
    );
    const before = new Set(receiver.attempts.keys());

    const events = DELIVERIES / WEBHOOKS;
    for (let i = 0; i < events; i += 250) {
      await tenant.api.publishBatch(Array.from({ length: Math.min(250, events - i) }, () => event('user-mentioned', tenant.id)));
    }
    const mine = () => [...receiver.attempts].filter(([id]) => !before.has(id));
    await waitFor(() => mine().length >= DELIVERIES && mine().every(([, a]) => a.answeredAt.length >= 2), {
      timeoutMs: 60_000 + DELIVERIES * 20,
      intervalMs: 500,
      what: `${DELIVERIES} deliveries retried (have ${mine().filter(([, a]) => a.answeredAt.length >= 2).length})`,
    });

    // Lateness: second attempt's arrival minus (refusal sent + retry_base^1 s).
    const lateness = mine().map(([, a]) => a.answeredAt[1]! - (a.answeredAt[0]! + base.get(a.path)! * 1000));
    const dist = distribution(lateness);
    // The worker's own view: how late it took each retry off its tier topic (before the lane and the HTTP call).
    const taken = await histogramShares(system.workers[0]!.baseUrl, 'hookstream_worker_retry_lateness_seconds');
    recordResults({
      retry_timing_ms: {
        p50: dist.p50,
        p99: dist.p99,
        max: dist.max,
        count: dist.count,
        deliveries_in_retry: dist.count,
        min: Math.min(...lateness),
        // The bound: the share of retries that fired within 1 s of their due time.
        within_1s_share: Math.round((lateness.filter((l) => l <= 1000).length / lateness.length) * 10_000) / 10_000,
      },
      retry_timing_worker_share_started_within: taken,
    });
    process.stderr.write(`retry lateness over ${DELIVERIES} retries: ${JSON.stringify(dist)}\n`);

    // At least the published deliveries (late probe deliveries are measured too).
    expect(mine().length).toBeGreaterThanOrEqual(DELIVERIES);
    // No retry fires before it is due (a small allowance for the clocks of two processes).
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(-50);
    // Exactly one retry each: nothing was lost or retried twice.
    expect(mine().every(([, a]) => a.answeredAt.length === 2)).toBe(true);
  });
});
