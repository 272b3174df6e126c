import { fixtures, normalizeWebhookRequest } from '@hookstream/schemas';
import { rowsWhereIn } from '@hookstream/store/testing';
import {
  sleep,
  startReceiver,
  startTokenEndpoint,
  waitFor,
  type AppProcess,
  type Receiver,
  type ReceiverOptions,
  type TokenEndpoint,
} from '@hookstream/test-kit';
import { attemptRows, createHarness, deliveryRow, insertWebhook, job, produceJobs, putSecret, type Harness } from './support/harness.js';

const AUDIENCE = 'https://auth.dailyherald.example/';
const SECRETS: Record<string, string> = {
  reuse: 'reuse-client-secret-0123456789abcdef',
  refresh: 'refresh-client-secret-0123456789abcdef',
  reauth: 'reauth-client-secret-0123456789abcdef',
  forbidden: 'forbidden-client-secret-0123456789abcdef',
  seed: 'seed-client-secret-0123456789abcdef',
  down: 'down-client-secret-0123456789abcdef',
  empty: 'empty-client-secret-0123456789abcdef',
  rejected: 'rejected-client-secret-0123456789abcdef',
  large: 'large-client-secret-0123456789abcdef',
  huge: 'huge-client-secret-0123456789abcdef',
  metadata: 'metadata-client-secret-0123456789abcdef',
};
// An access token of 16 KB (Azure AD's are about 1.5 KB; some carry many more claims).
const LARGE_TOKEN = `large.${'x'.repeat(16 * 1024)}.sig`;

describe('client_secret_jwt (RFC 7523)', () => {
  let h: Harness;
  let worker: AppProcess;
  let tokens: TokenEndpoint;
  const receivers: Receiver[] = [];
  const shortLived: string[] = [];

  async function jwtWebhook(
    clientId: string,
    receiver: Receiver,
    auth: Record<string, unknown> = {},
    overrides: Record<string, unknown> = {},
    tokenUri = tokens.url,
  ) {
    const base = fixtures.webhookRequests.notificationJwt;
    const request = { ...base, auth_config: { ...base.auth_config, client_id: clientId, client_secret: SECRETS[clientId], audience: AUDIENCE, ...auth } };
    if ('secret_name' in auth) delete (request.auth_config as Record<string, unknown>).client_secret;
    // The contract requires an https token_uri; the test's real token endpoint is local http. The URL is
    // written with the row itself: a second write could reach the worker's cache after the job does.
    const normalized = normalizeWebhookRequest(request);
    if (!normalized.ok) throw new Error(`fixture does not normalize: ${JSON.stringify(normalized.errors)}`);
    const authConfig = { ...(normalized.value.auth_config as Record<string, unknown>), token_uri: tokenUri };
    return insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url, ...overrides, auth_config: authConfig });
  }

  async function receiver(reply: NonNullable<ReceiverOptions['respond']>) {
    const r = await startReceiver({ respond: reply });
    receivers.push(r);
    return r;
  }

  beforeAll(async () => {
    h = await createHarness();
    tokens = await startTokenEndpoint([
      { clientId: 'reuse', clientSecret: SECRETS.reuse!, audience: AUDIENCE },
      {
        clientId: 'refresh',
        clientSecret: SECRETS.refresh!,
        audience: AUDIENCE,
        answer: (n) => {
          const token = `short-${n}`;
          shortLived.push(token);
          // 64 s: refreshed one minute before expiry, i.e. after 4 s; and <= 300 s, a partner configuration problem.
          return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: '64' } };
        },
      },
      { clientId: 'reauth', clientSecret: SECRETS.reauth!, audience: AUDIENCE },
      { clientId: 'forbidden', clientSecret: SECRETS.forbidden!, audience: AUDIENCE },
      // The seed's answer as it stands, token_type " Bearer" (leading space) included.
      {
        clientId: 'seed',
        clientSecret: SECRETS.seed!,
        audience: AUDIENCE,
        answer: () => ({ status: 200, body: { access_token: 'ACCESS_TOKEN', token_type: ' Bearer', expires_in: 600 } }),
      },
      { clientId: 'down', clientSecret: SECRETS.down!, audience: AUDIENCE, answer: () => ({ status: 500, body: { error: 'server_error' } }) },
      { clientId: 'empty', clientSecret: SECRETS.empty!, audience: AUDIENCE, answer: () => ({ status: 200, body: { token_type: 'Bearer', expires_in: 600 } }) },
      { clientId: 'rejected', clientSecret: SECRETS.rejected!, audience: AUDIENCE },
      {
        clientId: 'large',
        clientSecret: SECRETS.large!,
        audience: AUDIENCE,
        answer: () => ({ status: 200, body: { access_token: LARGE_TOKEN, token_type: 'Bearer', expires_in: 3600 } }),
      },
      // 70 KiB of answer: past the 64 KiB cap.
      {
        clientId: 'huge',
        clientSecret: SECRETS.huge!,
        audience: AUDIENCE,
        answer: () => ({ status: 200, body: { access_token: `huge.${'y'.repeat(70 * 1024)}`, expires_in: 3600 } }),
      },
    ]);
    worker = await h.startWorker({ TENANT_SECRET_CACHE_MS: '0' });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await tokens.close();
    await h.close();
  });

  it('exchanges a verified HS256 client assertion for an access token, sends it as a Bearer token and reuses it', async () => {
    const r = await receiver((req) => ({ status: tokens.issued.includes(String(req.headers.authorization).replace(/^Bearer /, '')) ? 200 : 401 }));
    const wh = await jwtWebhook('reuse', r);
    const jobs = [job(h.tenantId, wh.id), job(h.tenantId, wh.id), job(h.tenantId, wh.id)];
    await produceJobs(h.kafka, jobs);
    await waitFor(
      async () => {
        const rows = await rowsWhereIn(
          h.pg.db,
          'deliveries',
          'id',
          jobs.map((j) => j.delivery_id),
          { status: 'delivered' },
        );
        return rows.length === 3;
      },
      { what: 'three delivered' },
    );
    const reqs = tokens.requestsOf('reuse');
    expect(reqs).toHaveLength(1);
    const form = reqs[0]!.form;
    // "client_id* string ID of the client who must be authenticated": sent in the form too, for servers that require it.
    expect(form.client_id).toBe('reuse');
    expect(form.grant_type).toBe('client_credentials');
    expect(form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(form.scope).toBe('notifications:write');
    expect(form.realm).toBe('partners');
    expect(reqs[0]!.claims).toMatchObject({ iss: 'reuse', sub: 'reuse', aud: AUDIENCE, jti: expect.any(String) });
    expect(r.requests).toHaveLength(3);
    for (const req of r.requests) expect(req.headers.authorization).toBe('Bearer at-reuse-1');
  });

  it('fetches a new token one minute before the old one expires, and logs a short expires_in as a partner problem', async () => {
    await putSecret(h.pg.db, h.tenantId, 'partners/refresh/client-secret', SECRETS.refresh!);
    const r = await receiver((req) => ({ status: shortLived.includes(String(req.headers.authorization).replace(/^Bearer /, '')) ? 200 : 401 }));
    const wh = await jwtWebhook('refresh', r, { secret_name: 'partners/refresh/client-secret' });
    const first = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [first]);
    await waitFor(async () => (await deliveryRow(h.pg.db, first.delivery_id))?.status === 'delivered', { what: 'first delivered' });
    const second = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [second]);
    await waitFor(async () => (await deliveryRow(h.pg.db, second.delivery_id))?.status === 'delivered', { what: 'second delivered' });
    // Within the first four seconds the token is reused.
    expect(tokens.requestsOf('refresh').length).toBe(1);
    await sleep(Math.max(0, tokens.requestsOf('refresh')[0]!.at + 4100 - Date.now()));
    const third = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [third]);
    await waitFor(async () => (await deliveryRow(h.pg.db, third.delivery_id))?.status === 'delivered', { what: 'third delivered' });
    expect(tokens.requestsOf('refresh')).toHaveLength(2);
    expect(r.byId(first.delivery_id)[0]!.headers.authorization).toBe('Bearer short-1');
    expect(r.byId(second.delivery_id)[0]!.headers.authorization).toBe('Bearer short-1');
    expect(r.byId(third.delivery_id)[0]!.headers.authorization).toBe('Bearer short-2');
    const log = worker.output().join('\n');
    expect(log).toMatch(/partner configuration problem.*expires_in/);
    expect(log).toContain(`"webhook_id":"${wh.id}"`);
    for (const secret of Object.values(SECRETS)) expect(log).not.toContain(secret);
    expect(log).not.toContain('short-1');
  });

  it('on a 401 re-authenticates once and retries at once, within the same attempt', async () => {
    let firstToken: string | undefined;
    const r = await receiver((req) => {
      const token = String(req.headers.authorization);
      firstToken ??= token;
      return { status: token === firstToken ? 401 : 200 };
    });
    const wh = await jwtWebhook('reauth', r);
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'delivered', { what: 'delivered after re-auth' });
    expect(tokens.requestsOf('reauth')).toHaveLength(2);
    const calls = r.byId(j.delivery_id);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers.authorization).not.toBe(calls[1]!.headers.authorization);
    const attempts = await attemptRows(h.pg.db, j.delivery_id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, outcome: 'delivered', status_code: 200 });
  });

  // The notification seed's table: "403 Forbidden: OpenWeb will try to re-authenticate."
  it('on a 403 re-authenticates once and retries at once, within the same attempt', async () => {
    let firstToken: string | undefined;
    const r = await receiver((req) => {
      const token = String(req.headers.authorization);
      firstToken ??= token;
      return { status: token === firstToken ? 403 : 200 };
    });
    const wh = await jwtWebhook('forbidden', r);
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'delivered', { what: 'delivered after re-auth' });
    expect(tokens.requestsOf('forbidden')).toHaveLength(2);
    const calls = r.byId(j.delivery_id);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers.authorization).not.toBe(calls[1]!.headers.authorization);
    const attempts = await attemptRows(h.pg.db, j.delivery_id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, outcome: 'delivered', status_code: 200 });
  });

  // The notification seed: "token_type string Token type that is received. This is unused by OpenWeb."
  it("uses the access_token of the seed's example answer whatever its token_type says", async () => {
    const r = await receiver(() => ({ status: 200 }));
    const wh = await jwtWebhook('seed', r);
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'delivered', { what: 'delivered with the seed answer' });
    expect(r.byId(j.delivery_id)[0]!.headers.authorization).toBe('Bearer ACCESS_TOKEN');
  });

  it('fails the attempt when the endpoint rejects the fresh token too, or the token endpoint fails or gives no access_token', async () => {
    const r401 = await receiver(() => ({ status: 401 }));
    const never = await receiver(() => ({ status: 200 }));
    const rejected = await jwtWebhook('rejected', r401, {}, { retry_max_count: 0 });
    const down = await jwtWebhook('down', never, {}, { retry_max_count: 0 });
    const empty = await jwtWebhook('empty', never, {}, { retry_max_count: 0 });
    const jobs = [job(h.tenantId, rejected.id), job(h.tenantId, down.id), job(h.tenantId, empty.id)];
    await produceJobs(h.kafka, jobs);
    await waitFor(
      async () => {
        const rows = await rowsWhereIn(
          h.pg.db,
          'deliveries',
          'id',
          jobs.map((j) => j.delivery_id),
          { status: 'discarded' },
        );
        return rows.length === 3;
      },
      { what: 'three discarded' },
    );
    const [a401] = await attemptRows(h.pg.db, jobs[0]!.delivery_id);
    expect(a401).toMatchObject({ outcome: 'http_error', status_code: 401, error_class: 'http_401' });
    expect(r401.byId(jobs[0]!.delivery_id)).toHaveLength(2);
    expect(tokens.requestsOf('rejected')).toHaveLength(2);
    const [aDown] = await attemptRows(h.pg.db, jobs[1]!.delivery_id);
    expect(aDown).toMatchObject({ outcome: 'auth_error', error_class: 'token_endpoint', error_message: 'token endpoint answered 500', status_code: null });
    const [aEmpty] = await attemptRows(h.pg.db, jobs[2]!.delivery_id);
    expect(aEmpty).toMatchObject({ outcome: 'auth_error', error_class: 'token_endpoint', error_message: 'token endpoint answer has no access_token' });
    expect(never.requests).toHaveLength(0);
  });

  // #16.5: token answers were cut at 1 KiB, so every token longer than that failed.
  it('reads a 16 KB access token whole, and fails an answer over 64 KiB with a clear error', async () => {
    const r = await startReceiver({ maxHeaderSize: 64 * 1024 });
    receivers.push(r);
    const never = await receiver(() => ({ status: 200 }));
    const large = await jwtWebhook('large', r);
    const huge = await jwtWebhook('huge', never, {}, { retry_max_count: 0 });
    const [jl, jh] = [job(h.tenantId, large.id), job(h.tenantId, huge.id)];
    await produceJobs(h.kafka, [jl, jh]);
    await waitFor(async () => (await deliveryRow(h.pg.db, jl.delivery_id))?.status === 'delivered', { what: 'delivered with the large token' });
    expect(r.byId(jl.delivery_id)[0]!.headers.authorization).toBe(`Bearer ${LARGE_TOKEN}`);
    await waitFor(async () => (await deliveryRow(h.pg.db, jh.delivery_id))?.status === 'discarded', { what: 'discarded after the huge answer' });
    const [attempt] = await attemptRows(h.pg.db, jh.delivery_id);
    expect(attempt).toMatchObject({ outcome: 'auth_error', error_class: 'token_endpoint', error_message: 'token endpoint answered 200 with more than 64 KiB' });
    expect(tokens.requestsOf('huge')).toHaveLength(1);
    expect(never.requests).toHaveLength(0);
  });

  // #16.3 and #16.10: the token URL is the tenant's too; this worker runs with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true.
  it('refuses a token URL on the cloud metadata address, telling the tenant only that it is not public', async () => {
    const never = await receiver(() => ({ status: 200 }));
    const wh = await jwtWebhook('metadata', never, {}, { retry_max_count: 0 }, 'http://169.254.169.254/latest/meta-data/iam/token');
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'discarded', { what: 'discarded' });
    const [attempt] = await attemptRows(h.pg.db, j.delivery_id);
    expect(attempt).toMatchObject({
      outcome: 'auth_error',
      error_class: 'token_endpoint',
      error_message: 'the token endpoint resolves to a non-public address; hookstream calls only public endpoints',
    });
    const logged = worker.output().find((l) => l.includes('token endpoint refused') && l.includes(wh.id));
    expect(JSON.parse(logged!)).toMatchObject({ host: '169.254.169.254', address: '169.254.169.254', address_class: 'cloud-metadata' });
    expect(never.requests).toHaveLength(0);
  });
});
