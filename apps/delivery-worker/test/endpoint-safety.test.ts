import { fixtures, type DeadLetter } from '@hookstream/schemas';
import { startReceiver, waitFor, type Collector, type Receiver } from '@hookstream/test-kit';
import { attemptRows, createHarness, deliveryRow, insertWebhook, job, produceJobs, type Harness } from './support/harness.js';

describe('endpoint safety (HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS off)', () => {
  let h: Harness;
  let receiver: Receiver;
  let dlq: Collector;

  beforeAll(async () => {
    h = await createHarness();
    receiver = await startReceiver();
    await h.startWorker({ HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: 'false', BUGGY_AFTER_DISCARDS: '100' });
    dlq = await h.kafka.consume(h.kafka.topics.deliveriesDlq);
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it.each([
    ['an IP literal', (port: number) => `http://127.0.0.1:${port}/hook`, 'loopback'],
    ['a host name resolving to loopback', (port: number) => `http://localhost:${port}/hook`, 'loopback'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', 'cloud-metadata'],
  ])('refuses %s without calling it, and dead-letters the job with the reason', async (_what, endpoint, cls) => {
    const wh = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.userSystemWebhook, { endpoint: endpoint(receiver.port) });
    const j = job(h.tenantId, wh.id, 'jive:user_session_login');
    await produceJobs(h.kafka, [j]);
    const letter = await waitFor(() => dlq.json<DeadLetter>().find((l) => l.job?.delivery_id === j.delivery_id), { what: 'dead letter' });
    expect(letter.reason).toBe('endpoint_refused');
    expect(letter.attempts[0]!.error).toContain(`a ${cls} address`);
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'discarded', { what: 'discarded row' });
    const [attempt] = await attemptRows(h.pg.db, j.delivery_id);
    expect(attempt).toMatchObject({ outcome: 'refused', error_class: 'endpoint_refused', status_code: null });
    expect(String(attempt!.error_message)).toMatch(/private endpoints are refused/);
    expect(receiver.requests).toHaveLength(0);
  });
});
