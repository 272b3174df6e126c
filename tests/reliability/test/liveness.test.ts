import { startReceiver, waitFor, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { metric } from './support/ops.js';
import { recordResults } from './support/results.js';
import { event, newTenant, notificationWebhook, startReliabilitySystem } from './support/system.js';

describe('liveness that means progress', () => {
  let system: TestSystem;
  let receiver: Receiver;

  beforeAll(async () => {
    // One partition, one job in flight: a hanging endpoint call stops the whole consumer.
    [system, receiver] = await Promise.all([startReliabilitySystem({ partitions: 1, env: { PARTITION_MAX_IN_FLIGHT: '1' } }), startReceiver()]);
  });
  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it('a worker stuck with jobs waiting fails /readyz and shows the time since its last commit; it recovers by itself', async () => {
    const tenant = await newTenant(system, 'liveness');
    const worker = system.workers[0]!;
    const hook = await tenant.api.createWebhook(
      notificationWebhook(receiver, '/hang', ['message-approved'], { timeout_ms: 10_000, retry_base: 1, retry_max_count: 5 }),
    );
    await waitFor(
      async () => {
        await tenant.api.publish(event('message-approved', tenant.id));
        return waitFor(() => receiver.at('/hang').length > 0, { timeoutMs: 2000 }).catch(() => false);
      },
      { timeoutMs: 30_000, what: 'the webhook matched' },
    );
    expect((await fetch(`${worker.opsUrl}/readyz`)).status).toBe(200);

    // The endpoint now hangs (each call ends at its 10 s timeout) while jobs queue behind it.
    receiver.behave('/hang', { delayMs: 60_000 });
    await tenant.api.publishBatch(Array.from({ length: 20 }, () => event('message-approved', tenant.id)));

    const stalled = await waitFor(
      async () => {
        const r = await fetch(`${worker.opsUrl}/readyz`);
        const body = await r.text();
        return r.status === 503 && /no offset committed/.test(body) ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the worker to report itself stalled' },
    );
    // The gauge is refreshed every few seconds: it shows the stall once it passes the 3 s limit.
    const sinceCommit = await waitFor(
      async () => {
        const v = await metric(worker.opsUrl, 'hookstream_consumer_seconds_since_last_commit');
        return v !== undefined && v > 3 ? v : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'hookstream_consumer_seconds_since_last_commit above 3 s' },
    );
    const lag = await metric(worker.opsUrl, 'hookstream_consumer_lag');
    recordResults({ liveness: { readyz_while_stuck: JSON.parse(stalled) as unknown, seconds_since_last_commit: sinceCommit, lag } });
    expect(sinceCommit).toBeGreaterThan(3);
    expect(lag).toBeGreaterThan(0);

    // The endpoint recovers: the worker commits again and is ready, without a restart.
    receiver.behave('/hang', { status: 200 });
    await waitFor(async () => (await fetch(`${worker.opsUrl}/readyz`)).status === 200, { timeoutMs: 60_000, intervalMs: 500, what: 'ready again' });
    const delivered = await waitFor(
      async () => {
        const rows = await system.pg.db('deliveries').where({ webhook_id: hook.id }).select('status');
        return rows.length >= 21 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000, what: 'every delivery of the webhook delivered' },
    );
    expect(delivered.length).toBeGreaterThanOrEqual(21);
    expect(worker.child.exitCode).toBeNull();
  });
});
