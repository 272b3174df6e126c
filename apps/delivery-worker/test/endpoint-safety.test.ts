import { fixtures, type DeadLetter } from '@hookstream/schemas';
import { startReceiver, waitFor, type AppProcess, type Collector, type Receiver } from '@hookstream/test-kit';
import { attemptRows, createHarness, deliveryRow, insertWebhook, job, produceJobs, type Harness } from './support/harness.js';

describe('endpoint safety (HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS off)', () => {
  let h: Harness;
  let receiver: Receiver;
  let dlq: Collector;
  let worker: AppProcess;

  beforeAll(async () => {
    h = await createHarness();
    receiver = await startReceiver();
    worker = await h.startWorker({ HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: 'false', BUGGY_AFTER_DISCARDS: '100' });
    dlq = await h.kafka.consume(h.kafka.topics.deliveriesDlq);
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it.each([
    ['an IP literal', (port: number) => `http://127.0.0.1:${port}/hook`, '127.0.0.1', 'loopback'],
    ['a host name resolving to loopback', (port: number) => `http://localhost:${port}/hook`, '127.0.0.1', 'loopback'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'cloud-metadata'],
  ])('refuses %s without calling it, and dead-letters the job with the reason', async (_what, endpoint, address, cls) => {
    const wh = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.userSystemWebhook, { endpoint: endpoint(receiver.port) });
    const j = job(h.tenantId, wh.id, 'jive:user_session_login');
    await produceJobs(h.kafka, [j]);
    const letter = await waitFor(() => dlq.json<DeadLetter>().find((l) => l.job?.delivery_id === j.delivery_id), { what: 'dead letter' });
    expect(letter.reason).toBe('endpoint_refused');
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'discarded', { what: 'discarded row' });
    const [attempt] = await attemptRows(h.pg.db, j.delivery_id);
    expect(attempt).toMatchObject({ outcome: 'refused', error_class: 'endpoint_refused', status_code: null });
    // #16.10: the tenant learns that the endpoint is not public, not which address or class it resolved to.
    const row = await deliveryRow(h.pg.db, j.delivery_id);
    for (const told of [letter.attempts[0]!.error, attempt!.error_message, row!.last_error]) {
      expect(told).toBe('the endpoint resolves to a non-public address; hookstream calls only public endpoints');
    }
    // ... which goes to the operator log instead.
    const logged = await waitFor(() => worker.output().find((l) => l.includes('endpoint refused') && l.includes(wh.id)), { what: 'operator log line' });
    expect(JSON.parse(logged)).toMatchObject({ webhook_id: wh.id, tenant_id: h.tenantId, address, address_class: cls });
    expect(receiver.requests).toHaveLength(0);
  });
});
