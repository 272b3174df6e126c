import { distribution, sleep, startReceiver, waitFor, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { countDeliveries, eventIdOf, type FaultCount } from './support/counting.js';
import { recordResults } from './support/results.js';
import { event, newTenant, startReliabilitySystem, subscribe, type Tenant } from './support/system.js';

const TYPE = 'liked-message';
const SLOW_MS = 9000;

/** Publishes `n` events one by one at a steady pace; returns publish time per event id. */
async function publishPaced(tenant: Tenant, n: number, gapMs: number): Promise<Map<string, number>> {
  const at = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const e = event(TYPE, tenant.id);
    const t = Date.now();
    await tenant.api.publish(e);
    at.set(e.id, t);
    await sleep(gapMs);
  }
  return at;
}

/** Publish-to-receipt latency at a path for the given events. */
function latencies(receiver: Receiver, path: string, publishedAt: Map<string, number>): number[] {
  const out: number[] = [];
  for (const r of receiver.at(path)) {
    const t = publishedAt.get(eventIdOf(r.body) ?? '');
    if (t !== undefined && r.status < 300) out.push(r.receivedAt - t);
  }
  return out;
}

describe('one webhook answering close to its timeout', () => {
  let system: TestSystem;
  let receiver: Receiver;
  const faults: FaultCount[] = [];
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startReliabilitySystem({ partitions: 2 }), startReceiver()]);
  });
  afterAll(async () => {
    recordResults({ faults, slow_receiver_latency_ms: measured });
    await system?.stop();
    await receiver?.close();
  });

  it('does not slow down the other webhooks of the same worker', async () => {
    const tenant = await newTenant(system, 'slow');
    await subscribe(tenant, receiver, ['/fast'], TYPE);

    // Baseline: the fast webhook alone.
    const alone = await publishPaced(tenant, 40, 50);
    await receiver.waitForUnique(41, { path: '/fast', timeoutMs: 30_000 });
    const baseline = latencies(receiver, '/fast', alone);

    // The slow one joins: it answers after 9 s (its timeout is 10 s), ten calls at a time.
    receiver.behave('/slow', { delayMs: SLOW_MS });
    await subscribe(tenant, receiver, ['/slow'], TYPE, { timeout_ms: 10_000 }, SLOW_MS + 5000);
    const withSlow = await publishPaced(tenant, 40, 50);
    await waitFor(() => latencies(receiver, '/fast', withSlow).length === withSlow.size, { timeoutMs: 30_000, what: 'fast deliveries' });
    const contended = latencies(receiver, '/fast', withSlow);

    measured.fast_alone = distribution(baseline);
    measured.fast_while_other_webhook_answers_in_9s = distribution(contended);
    process.stderr.write(
      `slow receiver: fast alone ${JSON.stringify(measured.fast_alone)}; with slow ${JSON.stringify(measured.fast_while_other_webhook_answers_in_9s)}\n`,
    );

    // Not head-of-line blocked: every fast delivery of the second phase arrived long before a slow answer could have.
    expect(Math.max(...contended)).toBeLessThan(SLOW_MS);
    // The slow webhook is still served (no timeouts, nothing lost), just late.
    const slowIds = [...withSlow.keys()];
    await waitFor(() => countDeliveries('', receiver, ['/slow'], slowIds).lost === 0, { timeoutMs: 90_000, what: 'every slow delivery' });
    const fast = countDeliveries('slow_receiver_fast_webhook', receiver, ['/fast'], [...alone.keys(), ...withSlow.keys()]);
    const slow = countDeliveries('slow_receiver_slow_webhook', receiver, ['/slow'], slowIds);
    faults.push(fast, slow);
    expect(fast.lost).toBe(0);
    expect(slow.lost).toBe(0);
    expect(slow.duplicated).toBe(0);
  });
});
