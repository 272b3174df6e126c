import { startReceiver, startSystem, waitFor, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { event, newTenant, tokenWebhook } from './helpers.js';

/** Sum of a worker's delivery attempts from its /metrics. */
async function attempts(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('hookstream_worker_attempts_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** Partitions of the `deliveries` topic a worker owns, from its /metrics (0 before it joined). */
async function deliveryPartitions(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => /^hookstream_worker_assigned_partitions\{(.*,)?topic="[^"]*deliveries"/.test(l));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('two delivery workers in one consumer group', () => {
  let system: TestSystem;
  let receiver: Receiver;

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startSystem({ workers: 2, partitions: 4 }), startReceiver()]);
  });
  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it('share the load, and when one is SIGKILLed mid-run the other finishes its work with nothing lost', async () => {
    // The second worker's join reaches the first only at its next heartbeat: until the group has
    // settled, one worker owns every partition and, on a fast run, delivers the whole first batch.
    const settled = await waitFor(
      async () => {
        const owned = await Promise.all(system.workers.map((w) => deliveryPartitions(w.opsUrl)));
        return owned.every((n) => n > 0) && owned.reduce((a, b) => a + b, 0) === 4 && owned;
      },
      { timeoutMs: 60_000, what: 'both workers own partitions of deliveries' },
    );
    expect(settled).toEqual([2, 2]);
    const tenant = await newTenant(system);
    // Jobs are keyed by webhook id: with 16 webhooks over 4 partitions, the chance that one
    // worker's two partitions get none of them is 2 in 65,536 (with 8 it was 1 in 128).
    const paths = Array.from({ length: 16 }, (_, i) => `/w${i}`);
    for (const p of paths) {
      receiver.behave(p, { delayMs: 20 });
      await tenant.api.createWebhook(tokenWebhook(receiver, p, { email: ['replied-message'] }));
    }
    const total = 200;
    const sent: string[] = [];
    const publishing = (async () => {
      for (let i = 0; i < total / 25; i++) {
        const batch = Array.from({ length: 25 }, () => event('replied-message', tenant.id));
        await tenant.api.publishBatch(batch);
        sent.push(...batch.map((e) => e.id));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // Both workers deliver before the kill: the group split the partitions between them.
    await receiver.waitForUnique(200, { timeoutMs: 60_000 });
    const [victim, survivor] = system.workers;
    expect(await attempts(victim!.opsUrl)).toBeGreaterThan(0);
    expect(await attempts(survivor!.opsUrl)).toBeGreaterThan(0);
    expect(await victim!.stop('SIGKILL')).toBe('SIGKILL');
    await publishing;

    const expected = sent.length * paths.length;
    const ids = await receiver.waitForUnique(expected, { timeoutMs: 90_000 });
    expect(ids.size).toBe(expected);
    const received = receiver.requests.filter((r) => r.status < 300);
    // Duplicates are allowed (at least once) but carry the same webhook-id.
    expect(new Set(received.map((r) => r.webhookId)).size).toBe(expected);
    expect(await waitFor(async () => (await attempts(survivor!.opsUrl)) > 0, { what: 'survivor metrics' })).toBe(true);
  });
});
