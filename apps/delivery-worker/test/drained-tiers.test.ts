import { encodeDeliveryJobRecord, fixtures } from '@hookstream/schemas';
import { metric, startReceiver, waitFor, type Receiver } from '@hookstream/test-kit';
import { createHarness, insertWebhook, job, type Harness } from './support/harness.js';

// An idle worker leaves the drained slow retry tiers (5 s and up) out of its fetches and
// revisits them every 2/5 of their delay (at most CONSUMER_DRAINED_REVISIT_MAX_MS apart):
// a retry written to one of them meanwhile must still go out at its due time.
describe('drained slow retry tiers left out of the fetches', () => {
  let h: Harness;
  let receiver: Receiver;
  const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'drained-tiers-token' } };

  beforeAll(async () => {
    h = await createHarness();
    receiver = await startReceiver({ respond: () => ({ status: 200 }) });
  });
  afterAll(async () => {
    await receiver?.close();
    await h.close();
  });

  it('still delivers retries written to the 5 s and 30 s tiers at their due time, and readiness holds meanwhile', async () => {
    const worker = await h.startWorker();
    // Six slow tiers of 2 partitions each, all empty: every one of them left out.
    await waitFor(async () => (await metric(worker.opsUrl, 'hookstream_worker_partitions_left_out')) === 12, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the empty slow tiers left out of the fetches',
    });
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url });
    // As the retry router writes them: on the largest tier that fits the time left.
    const now = Date.now();
    const onFive = job(h.tenantId, wh.id, 'replied-message', { attempt: 2, due_at: now + 5_500 });
    const onThirty = job(h.tenantId, wh.id, 'replied-message', { attempt: 2, due_at: now + 30_500 });
    await h.kafka.publish(h.kafka.topics.retry['5s'], [encodeDeliveryJobRecord(onFive)]);
    await h.kafka.publish(h.kafka.topics.retry['30s'], [encodeDeliveryJobRecord(onThirty)]);
    const readiness: number[] = [];
    const arrived = (id: string) => receiver.byId(id)[0];
    await waitFor(
      async () => {
        readiness.push((await fetch(`${worker.opsUrl}/readyz`)).status);
        return arrived(onFive.delivery_id) && arrived(onThirty.delivery_id);
      },
      { timeoutMs: 45_000, intervalMs: 500, what: 'both retries delivered' },
    );
    const late = [arrived(onFive.delivery_id)!.receivedAt - onFive.due_at!, arrived(onThirty.delivery_id)!.receivedAt - onThirty.due_at!];
    process.stderr.write(`[drained tiers] retries on the 5 s and 30 s tiers arrived ${late.join(' ms and ')} ms after their due time\n`);
    for (const ms of late) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(1000);
    }
    expect(readiness.filter((s) => s !== 200)).toEqual([]);
    // Read to their ends again, the tiers are left out again.
    await waitFor(async () => (await metric(worker.opsUrl, 'hookstream_worker_partitions_left_out')) === 12, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the slow tiers left out again',
    });
  });
});
