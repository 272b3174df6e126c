import { randomBytes, randomUUID } from 'node:crypto';
import { deliveryId } from '@hookstream/schemas';
import { countRowsWhere, insertDeliveryRows } from '@hookstream/store/testing';
import { waitFor } from '@hookstream/test-kit';
import { decodeJwt, SignJWT } from 'jose';
import { publishable } from './helpers/events.js';
import { ADMIN_TOKEN, startHarness, type Harness, type Reply } from './helpers/harness.js';

/**
 * Issue 20.1: portal and console sessions on a running gateway with the real PostgreSQL and
 * Kafka. A session URL's single-use token is exchanged once for an HttpOnly cookie that
 * authenticates the same REST API, limited to the session's tenant and webhooks, behind CSRF and
 * Origin checks.
 */
describe('portal and console sessions', () => {
  let h: Harness;
  let keyA: string;
  let tenantA: string;
  let keyB: string;
  let tenantB: string;
  /** Tenant A's webhook listed in the partner's sessions. */
  let listedId: string;
  /** Tenant A's webhook no portal session was given. */
  let hiddenId: string;
  /** Tenant B's webhook. */
  let foreignId: string;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const ORIGIN = 'https://hookstream.test';
  const hook = (n: string) => ({ endpoint: `https://partner.example/${n}`, registered_events: { email: ['user-followed'] } });

  interface Opened {
    cookie: string;
    csrf: string;
    body: Record<string, any>;
    setCookie: string;
  }

  async function portalUrl(key: string, body: Record<string, unknown>): Promise<string> {
    const r = await h.call('POST', '/v1/portal/sessions', { key, body });
    if (r.status !== 201) throw new Error(`portal session: ${r.status} ${r.text}`);
    return r.body.url as string;
  }
  const tokenOf = (url: string) => new URL(url).hash.replace(/^#token=/, '');
  const exchange = (token: unknown, headers: Record<string, string> = {}) => h.call('POST', '/v1/sessions/exchange', { body: { token }, headers });
  async function open(url: string): Promise<Opened> {
    const r = await exchange(tokenOf(url));
    if (r.status !== 200) throw new Error(`exchange: ${r.status} ${r.text}`);
    const setCookie = r.headers.get('set-cookie') ?? '';
    return { cookie: setCookie.split(';')[0]!, csrf: r.body.csrf_token, body: r.body, setCookie };
  }
  /** A call as the browser makes it: the cookie, and the CSRF token on changes. */
  const asBrowser = (s: Opened, method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Reply> =>
    h.call(method, path, {
      ...(body !== undefined ? { body } : {}),
      headers: { cookie: s.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': s.csrf }), ...extra },
    });
  const portalKey = () => Buffer.from(h.env.HOOKSTREAM_PORTAL_KEY!, 'base64');

  beforeAll(async () => {
    h = await startHarness();
    ({ api_key: keyA, id: tenantA } = await h.createTenant('tenant-a'));
    ({ api_key: keyB, id: tenantB } = await h.createTenant('tenant-b'));
    listedId = (await h.call('POST', '/v1/webhooks', { key: keyA, body: hook('listed') })).body.id;
    hiddenId = (await h.call('POST', '/v1/webhooks', { key: keyA, body: hook('hidden') })).body.id;
    foreignId = (await h.call('POST', '/v1/webhooks', { key: keyB, body: hook('foreign') })).body.id;
    expect([listedId, hiddenId, foreignId].every(Boolean)).toBe(true);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('POST /v1/portal/sessions answers 201 {id, url, expires_at}: the token in the fragment, HS256, exp within 10 minutes, a unique jti (the session id)', async () => {
    const before = Date.now();
    const r = await h.call('POST', '/v1/portal/sessions', { key: keyA, body: { partner: 'Acme Corp.', expires_in_s: 7200 } });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(['expires_at', 'id', 'url']);
    expect(r.body.url).toMatch(/^https:\/\/hookstream\.test\/portal\/#token=[\w-]+\.[\w-]+\.[\w-]+$/);
    const expiresAt = Date.parse(r.body.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7_199_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7_201_000);
    const claims = decodeJwt(tokenOf(r.body.url));
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(600);
    expect(claims.jti).toBe(r.body.id);
    const again = decodeJwt(tokenOf(await portalUrl(keyA, { partner: 'Acme Corp.' })));
    expect(again.jti).not.toBe(claims.jti);
  });

  it('refuses a bad request: partner charset at /partner, expires_in_s bounds, another tenant webhook at /webhook_ids/N (404)', async () => {
    const bad = await h.call('POST', '/v1/portal/sessions', { key: keyA, body: { partner: 'no<script>' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ path: '/partner' })]);
    const short = await h.call('POST', '/v1/portal/sessions', { key: keyA, body: { partner: 'p', expires_in_s: 59 } });
    expect([short.status, short.body.details[0].path]).toEqual([400, '/expires_in_s']);
    const foreign = await h.call('POST', '/v1/portal/sessions', { key: keyA, body: { partner: 'p', webhook_ids: [listedId, foreignId] } });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toContain('/webhook_ids/1');
    const unauth = await h.call('POST', '/v1/portal/sessions', { body: { partner: 'p' } });
    expect(unauth.status).toBe(401);
  });

  it('exchanges a token once: 200 with the session and a HttpOnly SameSite=Strict Secure cookie; reused, expired, forged or malformed: 401 session_token_invalid without echoing it', async () => {
    const url = await portalUrl(keyA, { partner: 'exchange-partner', webhook_ids: [listedId], expires_in_s: 1800, read_only: true });
    const token = tokenOf(url);
    const s = await open(url);
    expect(s.body).toEqual({
      kind: 'portal',
      tenant_id: tenantA,
      partner: 'exchange-partner',
      read_only: true,
      webhook_ids: [listedId],
      expires_at: expect.any(String),
      csrf_token: expect.stringMatching(/^[\w-]{20,}$/),
    });
    const attributes = s.setCookie.split(';').map((a) => a.trim());
    expect(attributes[0]).toMatch(/^hookstream_session=[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Secure']));
    const maxAge = Number(attributes.find((a) => a.startsWith('Max-Age='))!.slice(8));
    expect(maxAge).toBeGreaterThan(1700);
    expect(maxAge).toBeLessThanOrEqual(1800);

    const reused = await exchange(token);
    expect([reused.status, reused.body.error]).toEqual([401, 'session_token_invalid']);
    expect(reused.body.message).toContain('already');

    const key = portalKey();
    const nowS = Math.floor(Date.now() / 1000);
    const claims = { kind: 'portal', tid: tenantA, partner: 'exchange-partner', ro: false, sexp: nowS + 3600 };
    const signed = (k: Uint8Array, iat: number, exp: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('hookstream-gateway')
        .setAudience('hookstream:session-exchange')
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(k);
    const expired = await signed(key, nowS - 700, nowS - 100);
    const forged = await signed(randomBytes(32), nowS, nowS + 300);
    for (const [what, t] of [
      ['expired', expired],
      ['forged', forged],
      ['malformed', 'not-a-jwt'],
      ['a session cookie', s.cookie.slice('hookstream_session='.length)],
    ] as const) {
      const r = await exchange(t);
      expect([what, r.status, r.body.error]).toEqual([what, 401, 'session_token_invalid']);
      expect(r.text).not.toContain(t);
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect((await exchange(expired)).body.message).toContain('expired');
    // The same token signed right, once more, is fine: the refusals above were not about the key.
    expect((await exchange(await signed(key, nowS, nowS + 300))).status).toBe(200);
  });

  it('a token is accepted once even when exchanged concurrently (the jti claim in PostgreSQL)', async () => {
    const token = tokenOf(await portalUrl(keyA, { partner: 'race' }));
    const answers = await Promise.all(Array.from({ length: 6 }, () => exchange(token)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401, 401, 401]);
    expect(await countRowsWhere(h.pg.db, 'ui_session_tokens', { jti: decodeJwt(token).jti })).toBe(1);
  });

  it('GET /v1/sessions/current answers the session with its csrf token; DELETE logs out (CSRF-checked) and clears the cookie', async () => {
    const s = await open(await portalUrl(keyA, { partner: 'reload' }));
    const current = await asBrowser(s, 'GET', '/v1/sessions/current');
    expect([current.status, current.body]).toEqual([200, s.body]);
    expect((await h.call('GET', '/v1/sessions/current')).body.error).toBe('session_invalid');
    expect((await h.call('GET', '/v1/sessions/current', { headers: { cookie: 'hookstream_session=a.b.c' } })).status).toBe(401);

    const noCsrf = await h.call('DELETE', '/v1/sessions/current', { headers: { cookie: s.cookie } });
    expect([noCsrf.status, noCsrf.body.error]).toEqual([403, 'csrf_token_invalid']);
    const out = await asBrowser(s, 'DELETE', '/v1/sessions/current');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^hookstream_session=; .*Max-Age=0/);
    // The session ended, not only the browser's cookie: a copy of the cookie is refused everywhere.
    const copy = await asBrowser(s, 'GET', '/v1/sessions/current');
    expect([copy.status, copy.body.error]).toEqual([401, 'session_invalid']);
    expect(copy.body.message).toContain('logged out');
    expect((await asBrowser(s, 'GET', '/v1/webhooks')).status).toBe(401);
    expect(await countRowsWhere(h.pg.db, 'ui_session_revocations', { session_id: decodeJwt(s.cookie.split('=')[1]!).jti, revoked_by: '' })).toBe(1);
  });

  it('the tenant ends a portal session it issued (DELETE /v1/portal/sessions/{id}), opened or not; another tenant cannot', async () => {
    const issue = async () => (await h.call('POST', '/v1/portal/sessions', { key: keyA, body: { partner: 'revocable' } })).body as { id: string; url: string };
    const link = await issue();
    const s = await open(link.url);
    expect((await asBrowser(s, 'GET', '/v1/webhooks')).status).toBe(200);
    // Tenant B naming A's session: 204 (ids are not checked against issued sessions), and nothing of A's changes.
    expect((await h.call('DELETE', `/v1/portal/sessions/${link.id}`, { key: keyB })).status).toBe(204);
    expect((await asBrowser(s, 'GET', '/v1/webhooks')).status).toBe(200);
    expect((await h.call('DELETE', `/v1/portal/sessions/${link.id}`, { key: keyA })).status).toBe(204);
    const refused = await asBrowser(s, 'GET', '/v1/webhooks');
    expect([refused.status, refused.body.error]).toEqual([401, 'session_invalid']);
    expect(refused.body.message).toContain('revoked');
    // A link revoked before it was opened no longer opens.
    const unopened = await issue();
    expect((await h.call('DELETE', `/v1/portal/sessions/${unopened.id}`, { key: keyA })).status).toBe(204);
    const late = await exchange(tokenOf(unopened.url));
    expect([late.status, late.body.error]).toEqual([401, 'session_token_invalid']);
    expect(late.body.message).toContain('revoked');
    expect((await h.call('DELETE', '/v1/portal/sessions/not-a-uuid', { key: keyA })).status).toBe(400);
    expect((await h.call('DELETE', `/v1/portal/sessions/${link.id}`)).status).toBe(401);
    // A portal session cannot revoke sessions (it is not an API key of the tenant).
    const other = await open((await issue()).url);
    expect((await asBrowser(other, 'DELETE', `/v1/portal/sessions/${link.id}`)).status).toBe(403);
  });

  it('a portal cookie is the tenant on the REST API: changes need x-csrf-token (403 csrf_token_invalid) and an Origin, if sent, must be the public URL (403)', async () => {
    const s = await open(await portalUrl(keyA, { partner: 'csrf-partner', webhook_ids: [listedId] }));
    const list = await asBrowser(s, 'GET', '/v1/webhooks');
    expect(list.status).toBe(200);
    expect(list.body.list.map((w: { id: string }) => w.id)).toEqual([listedId]);

    const missing = await h.call('POST', '/v1/webhooks', { body: hook('csrf-1'), headers: { cookie: s.cookie } });
    expect([missing.status, missing.body.error]).toEqual([403, 'csrf_token_invalid']);
    const wrong = await h.call('POST', '/v1/webhooks', { body: hook('csrf-1'), headers: { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(43) } });
    expect([wrong.status, wrong.body.error]).toEqual([403, 'csrf_token_invalid']);
    const otherSession = await open(await portalUrl(keyA, { partner: 'csrf-partner' }));
    const crossed = await h.call('POST', '/v1/webhooks', { body: hook('csrf-1'), headers: { cookie: s.cookie, 'x-csrf-token': otherSession.csrf } });
    expect(crossed.status).toBe(403);
    const foreignOrigin = await asBrowser(s, 'POST', '/v1/webhooks', hook('csrf-1'), { origin: 'https://evil.example' });
    expect([foreignOrigin.status, foreignOrigin.body.error]).toEqual([403, 'origin_not_allowed']);
    const foreignRead = await asBrowser(s, 'GET', '/v1/webhooks', undefined, { origin: 'https://evil.example' });
    expect(foreignRead.status).toBe(403);
    expect(await countRowsWhere(h.pg.db, 'webhooks', { tenant_id: tenantA, partner: 'csrf-partner' })).toBe(0);

    const created = await asBrowser(s, 'POST', '/v1/webhooks', hook('csrf-1'), { origin: ORIGIN });
    expect(created.status).toBe(201);
    expect(await countRowsWhere(h.pg.db, 'webhooks', { id: created.body.id, tenant_id: tenantA, partner: 'csrf-partner' })).toBe(1);
  });

  it('a portal session sees only its webhooks: 404 for tenant B and for tenant A webhooks outside its set; a webhook it created stays visible to the partner', async () => {
    const first = await open(await portalUrl(keyA, { partner: 'scoped-partner', webhook_ids: [listedId] }));
    for (const id of [foreignId, hiddenId]) {
      for (const [method, path] of [
        ['GET', `/v1/webhooks/${id}`],
        ['GET', `/v1/webhooks/${id}/deliveries`],
        ['GET', `/v1/webhooks/${id}/signing-secret`],
        ['PUT', `/v1/webhooks/${id}/enable`],
        ['DELETE', `/v1/webhooks/${id}`],
      ] as const) {
        const r = await asBrowser(first, method, path);
        expect([method, path, r.status]).toEqual([method, path, 404]);
      }
    }
    // Exactly as an API key of tenant A sees tenant B's webhook.
    expect((await asBrowser(first, 'GET', `/v1/webhooks/${foreignId}`)).body).toEqual((await h.call('GET', `/v1/webhooks/${foreignId}`, { key: keyA })).body);
    expect((await asBrowser(first, 'GET', `/v1/webhooks/${listedId}`)).status).toBe(200);
    expect((await asBrowser(first, 'GET', `/v1/webhooks/${listedId}/deliveries`)).status).toBe(200);

    const created = await asBrowser(first, 'POST', '/v1/webhooks', hook('made-in-portal'));
    expect(created.status).toBe(201);
    const second = await open(await portalUrl(keyA, { partner: 'scoped-partner' }));
    expect((await asBrowser(second, 'GET', `/v1/webhooks/${created.body.id}`)).status).toBe(200);
    expect((await asBrowser(second, 'GET', '/v1/webhooks')).body.list.map((w: { id: string }) => w.id)).toEqual([created.body.id]);
    expect((await asBrowser(second, 'GET', `/v1/webhooks/${listedId}`)).status).toBe(404);
    const otherPartner = await open(await portalUrl(keyA, { partner: 'someone-else' }));
    expect((await asBrowser(otherPartner, 'GET', `/v1/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await asBrowser(otherPartner, 'GET', '/v1/webhooks')).body.list).toEqual([]);
    // The tenant's own key sees everything, the partner label aside.
    expect((await h.call('GET', `/v1/webhooks/${created.body.id}`, { key: keyA })).status).toBe(200);
  });

  it('deliveries follow their webhook: a delivery of a webhook outside the session is a 404, one of its own is readable', async () => {
    const eventId = randomUUID();
    const rows = [listedId, hiddenId].map((w) => ({
      id: deliveryId(eventId, w),
      tenant_id: tenantA,
      webhook_id: w,
      event_id: eventId,
      event_type: 'user-followed',
      status: 'delivered',
      attempts: 1,
      last_status_code: 200,
      created_at: new Date(),
      body: JSON.stringify({ hello: 'world' }),
    }));
    await insertDeliveryRows(h.pg.db, rows);
    const s = await open(await portalUrl(keyA, { partner: 'delivery-partner', webhook_ids: [listedId] }));
    expect((await asBrowser(s, 'GET', `/v1/deliveries/${rows[0]!.id}`)).status).toBe(200);
    const hidden = await asBrowser(s, 'GET', `/v1/deliveries/${rows[1]!.id}`);
    expect(hidden.status).toBe(404);
    expect((await asBrowser(s, 'POST', `/v1/deliveries/${rows[1]!.id}/retry`)).status).toBe(404);
  });

  it('a read-only session gets 403 on every change; a portal cookie is refused on /v1/api-keys, /v1/events, /v1/secrets, /v1/portal/sessions and the admin routes', async () => {
    const ro = await open(await portalUrl(keyA, { partner: 'reader', webhook_ids: [listedId], read_only: true }));
    expect((await asBrowser(ro, 'GET', `/v1/webhooks/${listedId}`)).status).toBe(200);
    const write = await asBrowser(ro, 'POST', '/v1/webhooks', hook('ro'));
    expect([write.status, write.body.missing_scope]).toEqual([403, 'manage']);
    expect((await asBrowser(ro, 'DELETE', `/v1/webhooks/${listedId}`)).status).toBe(403);

    const s = await open(await portalUrl(keyA, { partner: 'refused-partner' }));
    for (const [method, path, body] of [
      ['GET', '/v1/api-keys', undefined],
      ['POST', '/v1/api-keys', {}],
      ['POST', '/v1/events', publishable('user-followed')],
      ['GET', '/v1/secrets', undefined],
      ['POST', '/v1/portal/sessions', { partner: 'refused-partner' }],
      ['GET', `/v1/events/${randomUUID()}`, undefined],
    ] as const) {
      const r = await asBrowser(s, method, path, body);
      expect([method, path, r.status, r.body.error]).toEqual([method, path, 403, 'not_available_in_portal']);
    }
    for (const [method, path] of [
      ['GET', '/v1/tenants'],
      ['POST', '/v1/console/sessions'],
    ] as const) {
      const r = await asBrowser(s, method, path);
      expect([method, path, r.status, r.body.error]).toEqual([method, path, 403, 'not_available_in_portal']);
    }
  });

  it('a console session is the operator on the admin routes (CSRF-checked) but not a tenant; it cannot open another console session', async () => {
    const r = await h.call('POST', '/v1/console/sessions', { headers: admin });
    expect(r.status).toBe(201);
    expect(r.body.url).toMatch(/^https:\/\/hookstream\.test\/console\/#token=/);
    expect((await h.call('POST', '/v1/console/sessions', { headers: admin, body: { expires_in_s: 10 } })).status).toBe(400);
    const c = await open(r.body.url);
    expect(c.body).toEqual({ kind: 'console', read_only: false, expires_at: expect.any(String), csrf_token: expect.any(String) });
    const tenants = await asBrowser(c, 'GET', '/v1/tenants');
    expect(tenants.status).toBe(200);
    expect(tenants.body.list.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([tenantA, tenantB]));
    const noCsrf = await h.call('POST', '/v1/tenants', { body: { name: 'via-console' }, headers: { cookie: c.cookie } });
    expect([noCsrf.status, noCsrf.body.error]).toEqual([403, 'csrf_token_invalid']);
    const created = await asBrowser(c, 'POST', '/v1/tenants', { name: 'via-console' });
    expect(created.status).toBe(201);
    const asTenant = await asBrowser(c, 'GET', '/v1/webhooks');
    expect([asTenant.status, asTenant.body.error]).toEqual([403, 'not_available_in_console']);
    expect((await asBrowser(c, 'POST', '/v1/console/sessions')).status).toBe(403);
    // A portal token is no console token and the other way round: the kinds stay apart.
    expect((await asBrowser(c, 'GET', '/v1/sessions/current')).body.kind).toBe('console');
  });

  it('refuses a session cookie signed by another key or expired (401 session_invalid)', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const cookie = async (key: Uint8Array, exp: number) =>
      `hookstream_session=${await new SignJWT({ kind: 'console', ro: false })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('hookstream-gateway')
        .setAudience('hookstream:session')
        .setIssuedAt(nowS - 100)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(key)}`;
    const good = await h.call('GET', '/v1/tenants', { headers: { cookie: await cookie(portalKey(), nowS + 60) } });
    expect(good.status).toBe(200);
    for (const [what, c] of [
      ['another key', await cookie(randomBytes(32), nowS + 60)],
      ['expired', await cookie(portalKey(), nowS - 10)],
    ] as const) {
      const r = await h.call('GET', '/v1/tenants', { headers: { cookie: c } });
      expect([what, r.status, r.body.error]).toEqual([what, 401, 'session_invalid']);
    }
  });

  it('no session secret reaches the logs or an error answer: the portal key, tokens, cookies, CSRF tokens', async () => {
    const url = await portalUrl(keyA, { partner: 'leaks' });
    const s = await open(url);
    await exchange(tokenOf(url));
    await h.call('POST', '/v1/webhooks', { body: hook('leak'), headers: { cookie: s.cookie, 'x-csrf-token': `${s.csrf}x` } });
    const logs = h.app.output().join('\n');
    const secrets = [h.env.HOOKSTREAM_PORTAL_KEY!, tokenOf(url), s.cookie.slice('hookstream_session='.length), s.csrf];
    for (const secret of secrets) expect(logs.includes(secret)).toBe(false);
    // Answers: the token and cookie only ever travel as the caller sent them, never back in an error.
    const errors = h.responses.filter((r) => r.includes('"error"')).join('\n');
    for (const secret of secrets) expect(errors.includes(secret)).toBe(false);
  });

  it("a disabled tenant's portal sessions stop working", async () => {
    const { api_key: key, id } = await h.createTenant('short-lived');
    const s = await open(await portalUrl(key, { partner: 'p' }));
    expect((await asBrowser(s, 'GET', '/v1/webhooks')).status).toBe(200);
    expect((await h.call('DELETE', `/v1/tenants/${id}`, { headers: admin })).status).toBe(204);
    await waitFor(async () => (await asBrowser(s, 'GET', '/v1/webhooks')).status === 401, { timeoutMs: 30_000, what: 'the session to stop' });
    expect((await asBrowser(s, 'GET', '/v1/sessions/current')).status).toBe(401);
  });
});
