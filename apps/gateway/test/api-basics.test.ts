import { randomUUID } from 'node:crypto';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
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
  ['GET', '/v1/api-keys'],
  ['POST', '/v1/api-keys'],
  ['DELETE', `/v1/api-keys/${randomUUID()}`],
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
    const key = (await firstRowWhere(h.pg.db, 'api_keys', { tenant_id: r.body.id }))!;
    expect(key.key_hash).toBe(hashToken(r.body.api_key));
    expect(JSON.stringify([row, key])).not.toContain(r.body.api_key);
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
  describe('API key life cycle, seen by a second gateway', () => {
    let second: AppProcess;
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    /** Polls the second gateway until `key` is refused; fails after 1 s from `since`. */
    const refusedWithin1s = async (key: string, since: number) => {
      for (;;) {
        const r = await h.call('GET', '/v1/secrets', { key, baseUrl: second.baseUrl });
        if (r.status === 401) return;
        expect(r.status).toBe(200);
        if (Date.now() - since > 1000) throw new Error('the second gateway still accepts the key after 1 s');
        await new Promise((res) => setTimeout(res, 25));
      }
    };
    beforeAll(async () => {
      second = await startApp('gateway', {
        env: gatewayEnv(h.pg, h.kafka, { AUTH_FAILURE_LIMIT: '5', AUTH_FAILURE_WINDOW_S: '10', TRUSTED_PROXIES: '127.0.0.3' }),
      });
    });
    afterAll(async () => {
      await second?.stop('SIGTERM');
    });

    it('a tenant lists, creates (shown once, no-store) and revokes its keys; a revoked key answers 401 on the other gateway within 1 s', async () => {
      const t = await h.createTenant('rotating');
      const listed = await h.call('GET', '/v1/api-keys', { key: t.api_key });
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({
        list: [
          {
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            hint: `hs_...${t.api_key.slice(-4)}`,
            created_at: expect.any(String),
            last_used_at: null,
            scopes: ['publish', 'read', 'manage'],
          },
        ],
      });
      const created = await h.call('POST', '/v1/api-keys', { key: t.api_key });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        api_key: expect.stringMatching(/^hs_[A-Za-z0-9_-]{43}$/),
        hint: `hs_...${created.body.api_key.slice(-4)}`,
        created_at: expect.any(String),
        last_used_at: null,
        scopes: ['publish', 'read', 'manage'],
      });
      const fresh = created.body.api_key as string;
      const oldId = listed.body.list[0].id as string;
      // Both keys work on the second gateway, which caches them.
      expect((await h.call('GET', '/v1/secrets', { key: t.api_key, baseUrl: second.baseUrl })).status).toBe(200);
      expect((await h.call('GET', '/v1/secrets', { key: fresh, baseUrl: second.baseUrl })).status).toBe(200);
      // Last use is recorded (in batches, not per request), never the key or its hash.
      await waitUntil(
        async () => (await h.call('GET', '/v1/api-keys', { key: fresh })).body.list.every((k: { last_used_at: unknown }) => k.last_used_at),
        5000,
      );
      const both = await h.call('GET', '/v1/api-keys', { key: fresh });
      expect(both.text).not.toContain(fresh);
      expect(both.text).not.toContain(hashToken(fresh));
      expect(both.text).not.toContain(hashToken(t.api_key));

      const revoked = await h.call('DELETE', `/v1/api-keys/${oldId}`, { key: fresh });
      const at = Date.now();
      expect(revoked.status).toBe(204);
      await refusedWithin1s(t.api_key, at);
      expect((await h.call('GET', '/v1/secrets', { key: t.api_key })).status).toBe(401);
      expect((await h.call('GET', '/v1/secrets', { key: fresh, baseUrl: second.baseUrl })).status).toBe(200);

      // Its last key: refused, so a tenant cannot lock itself out.
      const last = await h.call('DELETE', `/v1/api-keys/${created.body.id}`, { key: fresh });
      expect(last.status).toBe(409);
      expect(last.body.error).toMatch(/last API key/);
      expect((await h.call('DELETE', `/v1/api-keys/${randomUUID()}`, { key: fresh })).status).toBe(404);
      expect((await h.call('DELETE', '/v1/api-keys/not-a-uuid', { key: fresh })).status).toBe(400);
      // Another tenant's key id is not found for this one.
      const stranger = await h.createTenant('stranger');
      expect((await h.call('DELETE', `/v1/api-keys/${created.body.id}`, { key: stranger.api_key })).status).toBe(404);
    });

    it('the admin lists tenants page by page, manages their keys, disables a tenant (its keys answer 401 everywhere within 1 s) and enables it again', async () => {
      const a = await h.createTenant('paged-a');
      const b = await h.createTenant('paged-b');
      expect((await h.call('GET', '/v1/tenants', { key: a.api_key })).status).toBe(401);
      const first = await h.call('GET', '/v1/tenants?count=1', { headers: admin });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ startIndex: 0, itemsPerPage: 1, list: [expect.objectContaining({ id: expect.any(String) })] });
      expect(first.body.links.next).toBe('https://hookstream.test/v1/tenants?startIndex=1&count=1');
      expect((await h.call('GET', '/v1/tenants?count=0', { headers: admin })).body.details[0].path).toBe('/query/count');
      const all = await h.call('GET', '/v1/tenants?count=100', { headers: admin });
      const row = all.body.list.find((x: { id: string }) => x.id === b.id);
      expect(row).toEqual({ id: b.id, name: 'paged-b', created_at: expect.any(String), disabled_at: null });
      expect(all.text).not.toContain('api_key');

      const keys = await h.call('GET', `/v1/tenants/${b.id}/api-keys`, { headers: admin });
      expect(keys.body.list).toHaveLength(1);
      const extra = await h.call('POST', `/v1/tenants/${b.id}/api-keys`, { headers: admin });
      expect(extra.status).toBe(201);
      expect(extra.headers.get('cache-control')).toBe('no-store');
      expect((await h.call('GET', '/v1/secrets', { key: extra.body.api_key, baseUrl: second.baseUrl })).status).toBe(200);
      // The admin may revoke a tenant's last key (a leaked key is revoked at once; it can issue another).
      expect((await h.call('DELETE', `/v1/tenants/${b.id}/api-keys/${keys.body.list[0].id}`, { headers: admin })).status).toBe(204);
      expect((await h.call('DELETE', `/v1/tenants/${b.id}/api-keys/${extra.body.id}`, { headers: admin })).status).toBe(204);
      expect((await h.call('GET', `/v1/tenants/${b.id}/api-keys`, { headers: admin })).body.list).toEqual([]);
      expect((await h.call('GET', `/v1/tenants/${randomUUID()}/api-keys`, { headers: admin })).status).toBe(404);

      expect((await h.call('GET', '/v1/secrets', { key: a.api_key, baseUrl: second.baseUrl })).status).toBe(200);
      const disabled = await h.call('DELETE', `/v1/tenants/${a.id}`, { headers: admin });
      const at = Date.now();
      expect(disabled.status).toBe(204);
      await refusedWithin1s(a.api_key, at);
      expect((await h.call('GET', '/v1/secrets', { key: a.api_key })).status).toBe(401);
      const after = await h.call('GET', '/v1/tenants?count=100', { headers: admin });
      expect(after.body.list.find((x: { id: string }) => x.id === a.id).disabled_at).toEqual(expect.any(String));
      expect((await h.call('POST', `/v1/tenants/${a.id}/api-keys`, { headers: admin })).status).toBe(409);
      expect((await h.call('DELETE', `/v1/tenants/${randomUUID()}`, { headers: admin })).status).toBe(404);
      const one = await h.call('GET', `/v1/tenants/${a.id}`, { headers: admin });
      expect(one.status).toBe(200);
      expect(one.body).toEqual({
        id: a.id,
        name: 'paged-a',
        created_at: expect.any(String),
        disabled_at: expect.any(String),
        webhook_limit: expect.any(Number),
      });

      // Enabled again: the same key works on both gateways within a second (each remembered it as unknown).
      expect((await h.call('POST', `/v1/tenants/${a.id}/enable`)).status).toBe(401);
      const enabled = await h.call('POST', `/v1/tenants/${a.id}/enable`, { headers: admin });
      const enabledAt = Date.now();
      expect(enabled.status).toBe(200);
      expect(enabled.body).toMatchObject({ id: a.id, disabled_at: null });
      for (const baseUrl of [undefined, second.baseUrl]) {
        for (;;) {
          const r = await h.call('GET', '/v1/secrets', { key: a.api_key, baseUrl });
          if (r.status === 200) break;
          expect(r.status).toBe(401);
          if (Date.now() - enabledAt > 1000) throw new Error(`${baseUrl ?? 'the first gateway'} still refuses the key 1 s after the tenant was enabled`);
          await new Promise((res) => setTimeout(res, 25));
        }
      }
      expect((await h.call('POST', `/v1/tenants/${a.id}/api-keys`, { headers: admin })).status).toBe(201);
      expect((await h.call('POST', `/v1/tenants/${a.id}/enable`, { headers: admin })).status).toBe(200);
      expect((await h.call('POST', `/v1/tenants/${randomUUID()}/enable`, { headers: admin })).status).toBe(404);
      expect((await h.call('GET', `/v1/tenants/${randomUUID()}`, { headers: admin })).status).toBe(404);
      expect((await h.call('GET', '/v1/tenants/not-a-uuid', { headers: admin })).status).toBe(400);
    });

    it('answers 429 with Retry-After after AUTH_FAILURE_LIMIT failed authentications (wrong keys and wrong admin tokens) from one address', async () => {
      const t = await h.createTenant('patient');
      // From 127.0.0.2: the other tests' address (127.0.0.1) keeps its own count.
      const from2 = (path: string, authorization: string) => callFrom('127.0.0.2', `${second.baseUrl}${path}`, authorization);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await from2('/v1/secrets', `Bearer hs_${'B'.repeat(42)}${i}`)).status);
      for (let i = 0; i < 2; i++) statuses.push((await from2('/v1/tenants', `Bearer wrong-admin-token-${i}`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      const refused = await from2('/v1/secrets', `Bearer hs_${'C'.repeat(43)}`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(10);
      expect(JSON.parse(refused.text).error).toMatch(/too many failed authentications/);
      // While throttled, a right key from that address learns nothing either; the admin token neither.
      expect((await from2('/v1/secrets', `Bearer ${t.api_key}`)).status).toBe(429);
      expect((await from2('/v1/tenants', `Bearer ${ADMIN_TOKEN}`)).status).toBe(429);
      // Other addresses are not affected.
      expect((await h.call('GET', '/v1/secrets', { key: t.api_key, baseUrl: second.baseUrl })).status).toBe(200);
      expect((await h.call('GET', '/v1/tenants', { headers: admin, baseUrl: second.baseUrl })).status).toBe(200);
    });

    it('counts failures per client behind a trusted proxy (TRUSTED_PROXIES, X-Forwarded-For), so one client guessing keys does not lock out the others', async () => {
      const t = await h.createTenant('behind-the-balancer');
      // 127.0.0.3 is the load balancer: every request arrives from it.
      const viaProxy = (client: string, authorization: string) =>
        callFrom('127.0.0.3', `${second.baseUrl}/v1/secrets`, authorization, { 'x-forwarded-for': client });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await viaProxy('198.51.100.7', `Bearer hs_${'D'.repeat(42)}${i}`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      expect((await viaProxy('198.51.100.7', `Bearer ${t.api_key}`)).status).toBe(429);
      // Another client through the same balancer, and one the balancer was told about by a proxy in front of it.
      expect((await viaProxy('198.51.100.8', `Bearer ${t.api_key}`)).status).toBe(200);
      expect((await viaProxy('198.51.100.7, 198.51.100.9', `Bearer ${t.api_key}`)).status).toBe(200);
      // The header of a peer that is not a trusted proxy is ignored: its failures are its own.
      const direct = (authorization: string) => callFrom('127.0.0.4', `${second.baseUrl}/v1/secrets`, authorization, { 'x-forwarded-for': '198.51.100.8' });
      for (let i = 0; i < 5; i++) await direct(`Bearer hs_${'E'.repeat(42)}${i}`);
      expect((await direct(`Bearer ${t.api_key}`)).status).toBe(429);
      expect((await viaProxy('198.51.100.8', `Bearer ${t.api_key}`)).status).toBe(200);
    });
  });
});

/** A GET from a chosen local address (fetch cannot bind one). */
function callFrom(
  localAddress: string,
  url: string,
  authorization: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { localAddress, headers: { authorization, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
  });
}

async function waitUntil(cond: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
