import { randomUUID } from 'node:crypto';
import { hashToken } from '@hookstream/service-kit';
import { firstRowWhere, replaceTenantKeyHash, tenantRow } from '@hookstream/store/testing';
import { startApp, type AppProcess, type Collector } from '@hookstream/test-kit';
import { publishable } from './helpers/events.js';
import { ADMIN_TOKEN, gatewayEnv, startHarness, type Harness } from './helpers/harness.js';
import { createTenant } from '@hookstream/store';

/** Every tenant route with a sample path, for the authentication checks. */
const TENANT_ROUTES: [string, string][] = [
  ['POST', '/v1/events'],
  ['POST', '/v1/events/batch'],
  ['GET', `/v1/events/${randomUUID()}`],
  ['POST', '/v1/webhooks'],
  ['GET', '/v1/webhooks'],
  ['GET', `/v1/webhooks/${randomUUID()}`],
  ['PUT', `/v1/webhooks/${randomUUID()}`],
  ['DELETE', `/v1/webhooks/${randomUUID()}`],
  ['PUT', `/v1/webhooks/${randomUUID()}/enable`],
  ['GET', `/v1/webhooks/${randomUUID()}/deliveries`],
  ['GET', `/v1/deliveries/${randomUUID()}`],
  ['POST', `/v1/deliveries/${randomUUID()}/retry`],
  ['PUT', '/v1/secrets/some-name'],
  ['GET', '/v1/secrets'],
];

describe('tenants, authentication, documentation and limits', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a tenant with the admin token; the API key is returned once and stored only as a hash', async () => {
    const r = await h.call('POST', '/v1/tenants', { body: { name: 'Daily Herald' }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Daily Herald',
      api_key: expect.stringMatching(/^hs_[A-Za-z0-9_-]{43}$/),
      api_key_hint: `hs_...${r.body.api_key.slice(-4)}`,
      created_at: expect.any(String),
    });
    const row = (await tenantRow(h.pg.db, r.body.id))!;
    expect(row.api_key_hash).toBe(hashToken(r.body.api_key));
    expect(JSON.stringify(row)).not.toContain(r.body.api_key);
    expect((await h.call('GET', '/v1/secrets', { key: r.body.api_key })).status).toBe(200);
  });

  it('#16.12: sends the security headers on JSON answers, 400s, 401s and 404s', async () => {
    const answers = [
      await h.call('POST', '/v1/tenants', { body: { name: 'headers' }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
      await h.call('POST', '/v1/tenants', { body: { name: '' }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
      await h.call('GET', '/v1/webhooks'),
      await h.call('GET', '/nowhere'),
    ];
    expect(answers.map((a) => a.status)).toEqual([201, 400, 401, 404]);
    for (const a of answers) {
      expect([a.status, a.headers.get('content-security-policy'), a.headers.get('x-content-type-options'), a.headers.get('referrer-policy')]).toEqual([
        a.status,
        "default-src 'none'; frame-ancestors 'none'",
        'nosniff',
        'no-referrer',
      ]);
      expect(a.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('refuses tenant creation without the admin token (401) or with an invalid body (400)', async () => {
    expect((await h.call('POST', '/v1/tenants', { body: { name: 'x' } })).status).toBe(401);
    expect((await h.call('POST', '/v1/tenants', { body: { name: 'x' }, headers: { authorization: 'Bearer not-the-admin-token' } })).status).toBe(401);
    const bad = await h.call('POST', '/v1/tenants', { body: { name: '', plan: 'gold' }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path)).toEqual(['/name', '/plan']);
  });

  it.each(TENANT_ROUTES)('%s %s answers 401 without an API key and with an invalid one', async (method, path) => {
    const body = method === 'GET' ? undefined : {};
    const none = await h.call(method, path, { body });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/missing API key/);
    const wrong = await h.call(method, path, { body, key: `hs_${'A'.repeat(43)}` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid API key' });
    expect((await h.call(method, path, { body, key: ADMIN_TOKEN })).status).toBe(401);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const r = await h.call('GET', '/nothing/here');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'no route for GET /nothing/here' });
    const { api_key } = await h.createTenant('lost');
    expect((await h.call('GET', '/v1/nothing', { key: api_key })).body).toEqual({ error: 'no route for GET /v1/nothing' });
  });

  it('serves an OpenAPI 3.1 document built from the contract, covering every route', async () => {
    const r = await h.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const name of [
      'CloudEvent',
      'WebhookRequest',
      'NotificationConfig',
      'WebhookEntity',
      'DeliveryJob',
      'NotificationData.replied-message',
      'ValidationError',
    ]) {
      expect(r.body.components.schemas[name]).toBeDefined();
    }
    const documented = Object.entries(r.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    for (const [method, path] of [...TENANT_ROUTES, ['POST', '/v1/tenants']]) {
      const template = path!.replace(/[0-9a-f-]{36}/, '{id}').replace('/some-name', '/{name}');
      expect(documented).toContain(`${method} ${template}`);
    }
    expect(r.body.paths['/v1/events/batch'].post.responses['207']).toBeDefined();
  });

  it('serves a human-readable docs page with swagger-ui from the installed package', async () => {
    const page = await fetch(`${h.app.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
    const bundle = await fetch(`${h.app.baseUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect(await (await fetch(`${h.app.baseUrl}/docs/init.js`)).text()).toContain("url: '/openapi.json'");
  });

  it('#16.12: keeps a bare /healthz on the API port; /readyz with its details and /metrics only on OPS_PORT', async () => {
    expect((await h.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    for (const path of ['/readyz', '/metrics']) expect([path, (await h.call('GET', path)).status]).toEqual([path, 404]);
    expect(await (await fetch(`${h.app.opsUrl}/readyz`)).json()).toMatchObject({
      status: 'ready',
      checks: { kafka: { ok: true }, postgres: { ok: true }, producer: { ok: true } },
    });
    const metrics = await (await fetch(`${h.app.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/hookstream_gateway_http_requests_total\{route="\/v1\/tenants",method="POST",status="201",service="gateway"\} [1-9]/);
    expect(metrics).toMatch(/hookstream_gateway_http_requests_total\{route="unmatched",method="GET",status="404",service="gateway"\} [1-9]/);
  });

  describe('a gateway with a tight rate limit, a 1 s dedup window and no admin token', () => {
    let other: AppProcess;
    let events: Collector;
    const tenant = async (name: string) => {
      const key = `hs_${randomUUID().replace(/-/g, '').padEnd(43, 'x')}`;
      const row = await createTenant(h.pg.db, name, { api_key_hash: hashToken(key), api_key_hint: 'hs_...' });
      return { key, id: row.id };
    };
    beforeAll(async () => {
      other = await startApp('gateway', {
        env: gatewayEnv(h.pg, h.kafka, {
          HOOKSTREAM_ADMIN_TOKEN: '',
          TENANT_RATE_LIMIT_PER_S: '0.2',
          TENANT_RATE_LIMIT_BURST: '3',
          EVENT_DEDUP_WINDOW_S: '1',
          EVENT_DEDUP_PRUNE_INTERVAL_S: '1',
        }),
      });
      events = await h.kafka.consume(h.kafka.topics.events);
    });
    afterAll(async () => {
      await other?.stop('SIGTERM');
    });

    it('answers POST /v1/tenants with 503 and a clear error when no admin token is configured', async () => {
      const r = await h.call('POST', '/v1/tenants', { body: { name: 'x' }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, baseUrl: other.baseUrl });
      expect(r.status).toBe(503);
      expect(r.body.error).toMatch(/HOOKSTREAM_ADMIN_TOKEN is not set/);
    });

    it('answers 429 with Retry-After once a tenant used up its burst, without affecting other tenants', async () => {
      const busy = await tenant('busy');
      const calm = await tenant('calm');
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await h.call('GET', '/v1/secrets', { key: busy.key, baseUrl: other.baseUrl });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(last!.body.error).toMatch(/rate limit/);
      expect((await h.call('GET', '/v1/secrets', { key: calm.key, baseUrl: other.baseUrl })).status).toBe(200);
    });

    it('publishes an id again once the dedup window has passed, and prunes expired dedup rows', async () => {
      const t = await tenant('window');
      const event = publishable('user-followed');
      expect((await h.call('POST', '/v1/events', { key: t.key, body: event, baseUrl: other.baseUrl })).status).toBe(202);
      await waitUntil(async () => (await firstRowWhere(h.pg.db, 'ingested_events', { tenant_id: t.id })) === undefined, 10_000);
      expect((await h.call('POST', '/v1/events', { key: t.key, body: event, baseUrl: other.baseUrl })).status).toBe(202);
      await waitUntil(async () => events.json<{ id: string }>().filter((e) => e.id === event.id).length === 2, 10_000);
    });

    it('answers 503 with Retry-After when the broker does not acknowledge, and releases the dedup claim so a retry is not swallowed', async () => {
      const t = await tenant('unlucky');
      const down = await startApp('gateway', { env: gatewayEnv(h.pg, h.kafka, { KAFKA_TOPIC_PREFIX: `${h.kafka.prefix}gone.`, PRODUCE_TIMEOUT_MS: '3000' }) });
      try {
        await h.kafka.admin.deleteTopics({ topics: [`${h.kafka.prefix}gone.events`] });
        await waitUntil(async () => !(await h.kafka.admin.listTopics()).includes(`${h.kafka.prefix}gone.events`), 10_000);
        const event = publishable('user-followed');
        const r = await h.call('POST', '/v1/events', { key: t.key, body: event, baseUrl: down.baseUrl });
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toBe('1');
        expect(r.body.error).toMatch(/did not acknowledge/);
        expect(await firstRowWhere(h.pg.db, 'ingested_events', { tenant_id: t.id, event_id: event.id })).toBeUndefined();
        // The main gateway (its topic exists) accepts the retry of the same id.
        expect((await h.call('POST', '/v1/events', { key: t.key, body: event })).status).toBe(202);
        // A webhook change whose system event cannot be published is rolled back.
        const hook = await h.call('POST', '/v1/webhooks', {
          key: t.key,
          body: { callback: 'https://partner.example/unlucky', events: 'webhook' },
          baseUrl: down.baseUrl,
        });
        expect(hook.status).toBe(503);
        expect(hook.body.error).toMatch(/nothing was changed/);
        expect(await firstRowWhere(h.pg.db, 'webhooks', { tenant_id: t.id })).toBeUndefined();
      } finally {
        await down.stop('SIGTERM');
      }
    });

    it('caches a positive API key lookup (no database read per request after the first)', async () => {
      const t = await tenant('cached');
      expect((await h.call('GET', '/v1/secrets', { key: t.key, baseUrl: other.baseUrl })).status).toBe(200);
      await replaceTenantKeyHash(h.pg.db, t.id, 'rotated-away');
      expect((await h.call('GET', '/v1/secrets', { key: t.key, baseUrl: other.baseUrl })).status).toBe(200);
      // The main gateway never saw this key: it reads the database and refuses it.
      expect((await h.call('GET', '/v1/secrets', { key: t.key })).status).toBe(401);
    });
  });
});

async function waitUntil(cond: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
