import { encodeDeliveryJobRecord, fixtures } from '@hookstream/schemas';
import { metric, sleep, startReceiver, waitFor, type Receiver } from '@hookstream/test-kit';
import { createHarness, insertWebhook, job, type Harness } from './support/harness.js';

// Retries waiting in memory belong to their partition: when a rebalance gives the partition
// to another worker, the one that read them drops them and the new owner sends them. Before,
// both did: one duplicate call per waiting retry of every partition that moved.
describe('retries waiting in memory across a rebalance', () => {
  let h: Harness;
  let receiver: Receiver;

  beforeAll(async () => {
    h = await createHarness();
    receiver = await startReceiver({ respond: () => ({ status: 200 }) });
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it("are sent once, by the partition's owner after the rebalance", async () => {
    const wh = await insertWebhook(
      h.pg.db,
      h.tenantId,
      { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'rebalance-token' } },
      { endpoint: receiver.url },
    );
    // Long in-memory waits, so the second worker has joined well before the retries are due.
    const env = { RETRY_IN_MEMORY_WAIT_MS: '30000' };
    const first = await h.startWorker(env);
    const dueAt = Date.now() + 12_000;
    const jobs = Array.from({ length: 20 }, () => job(h.tenantId, wh.id, 'replied-message', { attempt: 2, due_at: dueAt }));
    // Both partitions of the 30 s tier hold retries, so whichever one moves, some were waiting in the first worker.
    await h.kafka.publish(
      h.kafka.topics.retry['30s'],
      jobs.map((j, i) => ({ ...encodeDeliveryJobRecord(j), partition: i % 2 })),
    );
    await waitFor(async () => ((await metric(first.baseUrl, 'hookstream_worker_in_flight')) ?? 0) >= 20, {
      what: 'the first worker holding all 20 retries',
      timeoutMs: 8_000,
    });

    // Alone in the group, the first worker owns both partitions of every job topic.
    expect(await metric(first.baseUrl, 'hookstream_worker_assigned_partitions')).toBe(2);
    const second = await h.startWorker(env);
    const wanted = new Set(jobs.map((j) => j.delivery_id));
    const calls = () => receiver.requests.filter((r) => wanted.has(String(r.headers['webhook-id'])));
    await waitFor(() => new Set(calls().map((r) => r.headers['webhook-id'])).size === 20, { what: 'all 20 retries delivered', timeoutMs: 30_000 });
    // Give a duplicate time to arrive.
    await sleep(2000);
    expect(calls()).toHaveLength(20);
    expect(Math.min(...calls().map((r) => r.receivedAt))).toBeGreaterThanOrEqual(dueAt - 50);
    // After the rebalance each owns one partition of each topic (the gauge is per topic; metric() takes the largest).
    expect(await metric(first.baseUrl, 'hookstream_worker_assigned_partitions')).toBe(1);
    expect(await metric(second.baseUrl, 'hookstream_worker_assigned_partitions')).toBe(1);
    const left = (await metric(first.baseUrl, 'hookstream_worker_retries_left_to_new_owner_total')) ?? 0;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(20);
    await second.stop('SIGTERM');
  });
});
