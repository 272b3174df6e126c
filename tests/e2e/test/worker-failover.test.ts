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
    const tenant = await newTenant(system);
    // Several webhooks so the jobs (keyed by webhook id) spread over the partitions of both workers.
    const paths = Array.from({ length: 8 }, (_, i) => `/w${i}`);
    for (const p of paths) {
      receiver.behave(p, { delayMs: 20 });
      await tenant.api.createWebhook(tokenWebhook(receiver, p, { email: ['replied-message'] }));
    }
    const total = 400;
    const sent: string[] = [];
    const publishing = (async () => {
      for (let i = 0; i < total / 50; i++) {
        const batch = Array.from({ length: 50 }, () => event('replied-message', tenant.id));
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
