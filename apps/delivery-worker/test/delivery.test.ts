import { createHmac, randomBytes } from 'node:crypto';
import { fixtures, validateDeadLetter, validateInvalidEventRecord } from '@hookstream/schemas';
import { changeWebhookUnannounced, rowsWhereIn } from '@hookstream/store/testing';
import { startReceiver, waitFor, type AppProcess, type Collector, type Receiver } from '@hookstream/test-kit';
import { SecretBox, SecretKeyRing } from '@hookstream/service-kit';
import { NoMatchingSignatureError, verify as verifyDelivery } from '@hookstream/verify';
import { resealSecrets, sealWebhookSecrets } from '@hookstream/store';
import { webhookRow } from '@hookstream/store/testing';
import { attemptRows, box, createHarness, deliveryRow, insertWebhook, job, produceJobs, putSecret, SECRET_KEY, type Harness } from './support/harness.js';

// This worker runs with a key ring: a newer key first, and the harness's single key as `v1`.
const NEXT_KEY = randomBytes(32).toString('base64');
const RING = `next:${NEXT_KEY},v1:${SECRET_KEY}`;
const SIGNING_SECRET = 'whsec_' + Buffer.from('a-32-byte-signing-key-for-tests!').toString('base64');

describe('delivery', () => {
  let h: Harness;
  let worker: AppProcess;
  let receiver: Receiver;
  let dlq: Collector;

  beforeAll(async () => {
    h = await createHarness();
    receiver = await startReceiver({ respond: (req) => (req.headers['x-fail'] ? { status: 500 } : { status: 200, body: 'thanks' }) });
    worker = await h.startWorker({ TENANT_SECRET_CACHE_MS: '0', HOOKSTREAM_SECRET_KEYS: RING, HOOKSTREAM_SECRET_KEY: '' });
    dlq = await h.kafka.consume(h.kafka.topics.deliveriesDlq);
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('POSTs the exact body with the standard headers, the token header and a Standard Webhooks signature', async () => {
    const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'partner-token-123' }, signing_secret: SIGNING_SECRET };
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url });
    const j = job(h.tenantId, wh.id);
    const producedAt = await produceJobs(h.kafka, [j]);
    const [req] = await waitFor(() => (receiver.byId(j.delivery_id).length ? receiver.byId(j.delivery_id) : undefined), { what: 'the delivery' });

    expect(req!.raw).toBe(JSON.stringify(j.body));
    expect(req!.body).toEqual(j.body);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toMatch(/^hookstream\/0\.1\.0 /);
    expect(req!.headers['webhook-id']).toBe(j.delivery_id);
    const ts = Number(req!.headers['webhook-timestamp']);
    expect(Math.abs(ts - producedAt / 1000)).toBeLessThan(30);
    expect(req!.headers['x-openweb-notification-event-webhook-token']).toBe('partner-token-123');
    expect(req!.headers.authorization).toBeUndefined();
    // Verified as a partner would, with the Standard Webhooks key derivation.
    const key = Buffer.from(SIGNING_SECRET.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key).update(`${j.delivery_id}.${ts}.${req!.raw}`).digest('base64');
    expect(req!.headers['webhook-signature']).toBe(`v1,${mac}`);

    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'delivered', { what: 'delivered row' });
    const row = await deliveryRow(h.pg.db, j.delivery_id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200, webhook_id: wh.id, tenant_id: h.tenantId, event_id: j.event_id });
    expect(row!.body).toEqual(j.body);
    const attempts = await attemptRows(h.pg.db, j.delivery_id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, cycle: 0, outcome: 'delivered', status_code: 200, response_excerpt: 'thanks', error_class: null });
    expect(attempts[0]!.duration_ms).toEqual(expect.any(Number));
    // The audit never holds our credentials.
    expect(JSON.stringify(attempts)).not.toContain('partner-token-123');
    expect(worker.output().join('\n')).not.toContain('partner-token-123');
  });

  it('issue 18.3: a real delivery verifies with @hookstream/verify as a partner installs it, and not with another secret', async () => {
    const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'partner-token-123' }, signing_secret: SIGNING_SECRET };
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url });
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    const [req] = await waitFor(() => (receiver.byId(j.delivery_id).length ? receiver.byId(j.delivery_id) : undefined), { what: 'the delivery' });

    // The receiver's raw body and Node's req.headers, as a partner's handler gets them.
    const verified = verifyDelivery(req!.raw, req!.headers, SIGNING_SECRET);
    expect(verified).toMatchObject({ id: j.delivery_id, version: 'v1', keyIndex: 0 });
    expect(verifyDelivery(Buffer.from(req!.raw), req!.headers, ['whsec_' + randomBytes(32).toString('base64'), SIGNING_SECRET]).keyIndex).toBe(1);
    expect(() => verifyDelivery(req!.raw, req!.headers, 'whsec_' + randomBytes(32).toString('base64'))).toThrow(NoMatchingSignatureError);
  });

  it('reads a secret-store token at send time under a custom header name, so a rotation applies to the next delivery', async () => {
    await putSecret(h.pg.db, h.tenantId, 'partners/daily-herald/openweb-notification-token', 'first-token');
    const request = {
      ...fixtures.webhookRequests.notificationToken,
      auth_config: { secret_name: 'partners/daily-herald/openweb-notification-token', header_name: 'X-Partner-Token' },
    };
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url });
    const first = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [first]);
    const [r1] = await waitFor(() => (receiver.byId(first.delivery_id).length ? receiver.byId(first.delivery_id) : undefined));
    expect(r1!.headers['x-partner-token']).toBe('first-token');
    expect(r1!.headers['x-openweb-notification-event-webhook-token']).toBeUndefined();

    await putSecret(h.pg.db, h.tenantId, 'partners/daily-herald/openweb-notification-token', 'rotated-token');
    const second = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [second]);
    const [r2] = await waitFor(() => (receiver.byId(second.delivery_id).length ? receiver.byId(second.delivery_id) : undefined));
    expect(r2!.headers['x-partner-token']).toBe('rotated-token');
  });

  it('delivers with secrets resealed under the newest key of its ring while it runs (#16.8)', async () => {
    const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'token-sealed-by-the-old-key' } };
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url });
    const first = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [first]);
    await waitFor(() => receiver.byId(first.delivery_id)[0], { what: 'the delivery before the reseal' });

    await resealSecrets(h.pg.db, new SecretBox(SecretKeyRing.parse(RING)));
    expect(((await webhookRow(h.pg.db, wh.id))!.secrets_enc as string).startsWith('v2.next.')).toBe(true);
    const second = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [second]);
    const [req] = await waitFor(() => (receiver.byId(second.delivery_id).length ? receiver.byId(second.delivery_id) : undefined), {
      what: 'the delivery after the reseal',
    });
    expect(req!.headers['x-openweb-notification-event-webhook-token']).toBe('token-sealed-by-the-old-key');
  });

  it('never calls with a configuration older than the one the job was matched against', async () => {
    const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'token-before-rotation' } };
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url });
    const warm = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [warm]);
    await waitFor(() => receiver.byId(warm.delivery_id)[0]);
    // The partner rotates its token; this worker's change feed has not seen it yet (the
    // notification is held back here, as a busy feed would be late), but the matcher has.
    const revision = await changeWebhookUnannounced(h.pg.db, wh.id, { secrets_enc: sealWebhookSecrets(box, wh.id, { token: 'token-after-rotation' }) });
    const matched = job(h.tenantId, wh.id, 'replied-message', { webhook_revision: revision });
    await produceJobs(h.kafka, [matched]);
    const [req] = await waitFor(() => (receiver.byId(matched.delivery_id).length ? receiver.byId(matched.delivery_id) : undefined), { what: 'the delivery' });
    expect(req!.headers['x-openweb-notification-event-webhook-token']).toBe('token-after-rotation');
  });

  it('sends a JSON array of up to batch_size notifications per call: when full, or after at most 1 s', async () => {
    const wh = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.contentWebhook, { endpoint: receiver.url, batch_size: 3 });
    const jobs = [0, 1, 2, 3].map(() => job(h.tenantId, wh.id, 'jive:created'));
    const producedAt = await produceJobs(h.kafka, jobs);
    const calls = await waitFor(
      () => {
        const mine = receiver.requests.filter(
          (r) => Array.isArray(r.body) && (r.body as { webhook?: string }[]).some((b) => jobs.some((j) => JSON.stringify(j.body) === JSON.stringify(b))),
        );
        return mine.length >= 2 ? mine : undefined;
      },
      { what: 'two batch calls' },
    );
    const sizes = calls.map((c) => (c.body as unknown[]).length).sort();
    expect(sizes).toEqual([1, 3]);
    const full = calls.find((c) => (c.body as unknown[]).length === 3)!;
    const partial = calls.find((c) => (c.body as unknown[]).length === 1)!;
    expect(full.headers['webhook-batch-size']).toBe('3');
    expect(partial.headers['webhook-batch-size']).toBe('1');
    // The partial batch waited for more, but not longer than about a second.
    expect(partial.receivedAt - producedAt).toBeGreaterThanOrEqual(900);
    const sent = [...(full.body as unknown[]), ...(partial.body as unknown[])];
    expect(sent).toEqual(expect.arrayContaining(jobs.map((j) => j.body)));
    // Each delivery keeps its own id and audit row.
    await waitFor(
      async () => {
        const rows = await rowsWhereIn(
          h.pg.db,
          'deliveries',
          'id',
          jobs.map((j) => j.delivery_id),
        );
        return rows.length === 4 && rows.every((r) => r.status === 'delivered');
      },
      { what: 'four delivered rows' },
    );
  });

  it("keeps to a webhook's rate limit", async () => {
    // One event per call, so the rate applies to each delivery.
    const wh = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.userSystemWebhook, {
      endpoint: receiver.url,
      rate_limit_per_s: 4,
      batch_size: 1,
    });
    const jobs = Array.from({ length: 8 }, () => job(h.tenantId, wh.id, 'jive:user_session_login'));
    await produceJobs(h.kafka, jobs);
    const calls = await waitFor(
      () => {
        const mine = jobs.map((j) => receiver.byId(j.delivery_id)[0]);
        return mine.every(Boolean) ? mine.map((c) => c!.receivedAt).sort((a, b) => a - b) : undefined;
      },
      { what: 'eight rate-limited deliveries' },
    );
    // A burst of one second's worth (4), then one call per 250 ms: the 8th at least 1 s after the 1st.
    expect(calls[7]! - calls[0]!).toBeGreaterThanOrEqual(950);
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    // Redirects to the main receiver, which must not be called.
    const redirecting = await startReceiver({ respond: () => ({ status: 302, body: 'moved', headers: { location: receiver.url } }) });
    try {
      const wh = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.userSystemWebhook, { endpoint: redirecting.url, retry_max_count: 0 });
      const j = job(h.tenantId, wh.id, 'jive:user_session_login');
      await produceJobs(h.kafka, [j]);
      await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'discarded', { what: 'discarded after a redirect' });
      const [attempt] = await attemptRows(h.pg.db, j.delivery_id);
      expect(attempt).toMatchObject({ outcome: 'http_error', status_code: 302, error_class: 'http_302', response_excerpt: 'moved' });
      expect(redirecting.byId(j.delivery_id)).toHaveLength(1);
      expect(receiver.byId(j.delivery_id)).toHaveLength(0);
    } finally {
      await redirecting.close();
    }
  });

  // #16.3: this worker runs with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true (it calls the local receiver).
  it('still refuses link-local and cloud metadata endpoints, without a call and without retries', async () => {
    const endpoints = [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
      'http://[fe80::1]/hook',
      'http://[::ffff:169.254.169.254]/hook',
      'http://metadata.google.internal/computeMetadata/v1/',
    ];
    const jobs = [];
    for (const endpoint of endpoints) {
      const wh = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.userSystemWebhook, { endpoint, timeout_ms: 1000, retry_max_count: 1 });
      jobs.push(job(h.tenantId, wh.id, 'jive:user_session_login'));
    }
    await produceJobs(h.kafka, jobs);
    const ids = jobs.map((j) => j.delivery_id);
    await waitFor(async () => (await rowsWhereIn(h.pg.db, 'deliveries', 'id', ids, { status: 'discarded' })).length === ids.length, { what: 'all discarded' });
    for (const id of ids) {
      const attempts = await attemptRows(h.pg.db, id);
      expect(attempts).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          error_class: 'endpoint_refused',
          error_message: 'the endpoint resolves to a non-public address; hookstream calls only public endpoints',
          response_excerpt: null,
        }),
      ]);
    }
  });

  it('dead-letters a job whose webhook was deleted, and an unreadable message with the reason', async () => {
    const orphan = job(h.tenantId, '00000000-0000-4000-8000-00000000dead');
    const owned = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.userSystemWebhook, { endpoint: receiver.url });
    const foreign = job('7b0e7a52-3c1f-4e0a-9d59-000000000001', owned.id, 'jive:user_session_login');
    await produceJobs(h.kafka, [orphan, foreign]);
    // Raw bytes on purpose: no record module writes unreadable jobs.
    await h.kafka.publish(h.kafka.topics.deliveries, [
      { key: 'x', value: '{"v":1,"delivery_id":"nope"}' },
      { key: 'y', value: 'not json' },
    ]);
    await waitFor(() => dlq.json<Record<string, unknown>>().filter((l) => l.original_base64 !== undefined).length >= 2, { what: 'two invalid-job records' });
    const letters = await waitFor(
      () => {
        const all = dlq.json<Record<string, unknown>>();
        return all.some((l) => (l.job as { delivery_id?: string } | undefined)?.delivery_id === orphan.delivery_id) ? all : undefined;
      },
      { what: 'the dead letter of the deleted webhook' },
    );
    const deleted = letters.find((l) => (l.job as { delivery_id?: string } | undefined)?.delivery_id === orphan.delivery_id)!;
    expect(validateDeadLetter(deleted).ok).toBe(true);
    expect(deleted.reason).toBe('webhook_deleted');
    const crossTenant = await waitFor(() =>
      dlq.json<Record<string, unknown>>().find((l) => (l.job as { delivery_id?: string } | undefined)?.delivery_id === foreign.delivery_id),
    );
    expect(crossTenant.reason).toBe('tenant_mismatch');
    expect(receiver.byId(foreign.delivery_id)).toHaveLength(0);
    expect(await deliveryRow(h.pg.db, foreign.delivery_id)).toBeUndefined();
    const invalid = letters.filter((l) => l.original_base64 !== undefined);
    expect(invalid.map((l) => l.reason).sort()).toEqual(['invalid_delivery_job', 'not_json']);
    for (const rec of invalid) expect(validateInvalidEventRecord(rec).ok).toBe(true);
    const schemaErrors = invalid.find((l) => l.reason === 'invalid_delivery_job')!.errors as { path: string }[];
    expect(schemaErrors.map((e) => e.path)).toEqual(expect.arrayContaining(['/delivery_id']));
    expect(Buffer.from(invalid.find((l) => l.reason === 'not_json')!.original_base64 as string, 'base64').toString()).toBe('not json');
    await waitFor(async () => (await deliveryRow(h.pg.db, orphan.delivery_id))?.status === 'discarded', { what: 'discarded row' });
    // The worker survived the bad input.
    expect((await fetch(`${worker.baseUrl}/healthz`)).status).toBe(200);
  });

  it('exposes the delivery metrics', async () => {
    const text = await (await fetch(`${worker.opsUrl}/metrics`)).text();
    expect(text).toMatch(/hookstream_worker_attempts_total\{outcome="delivered",status_class="2xx",service="delivery-worker"\} \d+/);
    expect(text).toContain('hookstream_worker_attempt_duration_seconds_bucket');
    expect(text).toContain('hookstream_worker_in_flight');
    expect(text).toMatch(/hookstream_worker_dead_letters_total\{reason="webhook_deleted"/);
    expect(text).toContain('hookstream_consumer_lag');
  });
});
