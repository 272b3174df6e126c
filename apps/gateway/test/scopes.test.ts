import { randomUUID } from 'node:crypto';
import { fixtures, MAX_ID_LENGTH } from '@hookstream/schemas';
import { publishable } from './helpers/events.js';
import { ADMIN_TOKEN, startHarness, type Harness, type Reply } from './helpers/harness.js';

/**
 * Issue 17.1, Jive seed (004) "Return Status" of the webhooks service, on a running gateway with
 * the real Kafka and PostgreSQL: API key scopes (publish, read, manage) give the 403s, malformed
 * ids the 400s, and another tenant's resource stays a 404.
 */
describe('Jive status codes: API key scopes, malformed ids, foreign resources', () => {
  let h: Harness;
  let full: string;
  let tenantId: string;
  let readOnly: string;
  let publishOnly: string;
  let manageOnly: string;
  let webhookId: string;
  let stranger: string;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const systemWebhook = (n: number) => ({ ...fixtures.webhookRequests.webhookSystemWebhook, callback: `http://127.0.0.1:9/jive-${n}` });

  async function newKey(key: string, scopes?: string[]): Promise<string> {
    const r = await h.call('POST', '/v1/api-keys', { key, ...(scopes ? { body: { scopes } } : {}) });
    if (r.status !== 201) throw new Error(`key creation failed: ${r.status} ${r.text}`);
    return r.body.api_key as string;
  }
  const expectForbidden = (r: Reply, scope: string) => {
    expect([r.status, r.body]).toEqual([403, { error: expect.stringContaining(`"${scope}"`), missing_scope: scope }]);
  };

  beforeAll(async () => {
    h = await startHarness();
    ({ api_key: full, id: tenantId } = await h.createTenant('jive-scopes'));
    ({ api_key: stranger } = await h.createTenant('jive-stranger'));
    readOnly = await newKey(full, ['read']);
    publishOnly = await newKey(full, ['publish']);
    manageOnly = await newKey(full, ['manage']);
    const w = await h.call('POST', '/v1/webhooks', { key: full, body: systemWebhook(0) });
    expect(w.status).toBe(201);
    webhookId = w.body.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keys get scopes: all three by default and for the first key; lists show each key scopes; an unknown scope is a 400 at /scopes/<i>', async () => {
    const list = await h.call('GET', '/v1/api-keys', { key: full });
    expect(list.status).toBe(200);
    expect(list.body.list.map((k: { scopes: string[] }) => k.scopes)).toEqual([['publish', 'read', 'manage'], ['read'], ['publish'], ['manage']]);
    const byAdmin = await h.call('POST', `/v1/tenants/${tenantId}/api-keys`, { headers: admin, body: { scopes: ['read', 'publish'] } });
    expect([byAdmin.status, byAdmin.body.scopes]).toEqual([201, ['publish', 'read']]);
    const defaulted = await h.call('POST', `/v1/tenants/${tenantId}/api-keys`, { headers: admin });
    expect([defaulted.status, defaulted.body.scopes]).toEqual([201, ['publish', 'read', 'manage']]);
    const adminList = await h.call('GET', `/v1/tenants/${tenantId}/api-keys`, { headers: admin });
    expect(adminList.body.list.find((k: { id: string }) => k.id === byAdmin.body.id).scopes).toEqual(['publish', 'read']);

    const unknown = await h.call('POST', '/v1/api-keys', { key: full, body: { scopes: ['read', 'admin'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([expect.objectContaining({ path: '/scopes/1', message: expect.stringContaining('publish, read, manage') })]);
    const empty = await h.call('POST', `/v1/tenants/${tenantId}/api-keys`, { headers: admin, body: { scopes: [] } });
    expect([empty.status, empty.body.details?.[0]?.path]).toEqual([400, '/scopes']);
  });

  // Jive seed: "403 (Forbidden)If the requesting user is not allowed to view the webhook" and
  // "403 (Forbidden)The requesting user is not allowed to access webhooks".
  it('a read-only key lists and gets (200) but "403 (Forbidden)If the requesting user is not allowed to update the webhook" / "to delete the webhook" on create, update, delete, enable', async () => {
    expect((await h.call('GET', '/v1/webhooks', { key: readOnly })).status).toBe(200);
    expect((await h.call('GET', `/v1/webhooks/${webhookId}`, { key: readOnly })).status).toBe(200);
    expect((await h.call('GET', `/v1/webhooks/${webhookId}/deliveries`, { key: readOnly })).status).toBe(200);
    expect((await h.call('GET', '/v1/secrets', { key: readOnly })).status).toBe(200);
    expect((await h.call('GET', '/v1/api-keys', { key: readOnly })).status).toBe(200);
    expect((await h.call('GET', `/v1/events/${randomUUID()}`, { key: readOnly })).status).toBe(404);

    expectForbidden(await h.call('POST', '/v1/webhooks', { key: readOnly, body: systemWebhook(1) }), 'manage');
    expectForbidden(await h.call('PUT', `/v1/webhooks/${webhookId}`, { key: readOnly, body: { enabled: false } }), 'manage');
    expectForbidden(await h.call('DELETE', `/v1/webhooks/${webhookId}`, { key: readOnly }), 'manage');
    expectForbidden(await h.call('PUT', `/v1/webhooks/${webhookId}/enable`, { key: readOnly }), 'manage');
    expectForbidden(await h.call('PUT', '/v1/secrets/x', { key: readOnly, body: { value: 'v' } }), 'manage');
    expectForbidden(await h.call('POST', '/v1/api-keys', { key: readOnly }), 'manage');
    expectForbidden(await h.call('DELETE', `/v1/api-keys/${randomUUID()}`, { key: readOnly }), 'manage');
    expectForbidden(await h.call('POST', `/v1/deliveries/${randomUUID()}/retry`, { key: readOnly }), 'manage');
    expectForbidden(await h.call('POST', '/v1/events', { key: readOnly, body: publishable() }), 'publish');
    // Nothing changed: the webhook is still there and enabled.
    expect((await h.call('GET', `/v1/webhooks/${webhookId}`, { key: full })).body.enabled).toBe(true);
  });

  it('a publish-only key publishes (202) and gets 403 on every read', async () => {
    expect((await h.call('POST', '/v1/events', { key: publishOnly, body: publishable() })).status).toBe(202);
    const batch = await h.call('POST', '/v1/events/batch', {
      key: publishOnly,
      raw: JSON.stringify([publishable()]),
      headers: { 'content-type': 'application/cloudevents-batch+json' },
    });
    expect(batch.status).toBe(202);
    expectForbidden(await h.call('GET', '/v1/webhooks', { key: publishOnly }), 'read');
    expectForbidden(await h.call('GET', `/v1/webhooks/${webhookId}`, { key: publishOnly }), 'read');
    expectForbidden(await h.call('GET', `/v1/events/${randomUUID()}`, { key: publishOnly }), 'read');
    expectForbidden(await h.call('GET', `/v1/deliveries/${randomUUID()}`, { key: publishOnly }), 'read');
    expectForbidden(await h.call('GET', '/v1/secrets', { key: publishOnly }), 'read');
    expectForbidden(await h.call('GET', '/v1/api-keys', { key: publishOnly }), 'read');
    expectForbidden(await h.call('POST', '/v1/webhooks', { key: publishOnly, body: systemWebhook(2) }), 'manage');
  });

  it('a key creates keys only with scopes it holds itself (403 naming the one it lacks)', async () => {
    expectForbidden(await h.call('POST', '/v1/api-keys', { key: manageOnly, body: { scopes: ['manage', 'read'] } }), 'read');
    // Without "scopes" the new key would get all three: more than this key holds.
    expectForbidden(await h.call('POST', '/v1/api-keys', { key: manageOnly }), 'publish');
    const ok = await h.call('POST', '/v1/api-keys', { key: manageOnly, body: { scopes: ['manage'] } });
    expect([ok.status, ok.body.scopes]).toEqual([201, ['manage']]);
  });

  it('a manage key (all three scopes) does everything: create, list, get, update, enable, delete', async () => {
    const created = await h.call('POST', '/v1/webhooks', { key: full, body: systemWebhook(3) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await h.call('GET', '/v1/webhooks', { key: full })).status).toBe(200);
    expect((await h.call('GET', `/v1/webhooks/${id}`, { key: full })).status).toBe(200);
    expect((await h.call('PUT', `/v1/webhooks/${id}`, { key: full, body: { enabled: false } })).status).toBe(200);
    expect((await h.call('PUT', `/v1/webhooks/${id}/enable`, { key: full })).body.enabled).toBe(true);
    expect((await h.call('DELETE', `/v1/webhooks/${id}`, { key: full })).status).toBe(204);
    // A manage-only key manages but does not read.
    const other = await h.call('POST', '/v1/webhooks', { key: manageOnly, body: systemWebhook(4) });
    expect(other.status).toBe(201);
    expect((await h.call('DELETE', `/v1/webhooks/${other.body.id}`, { key: manageOnly })).status).toBe(204);
  });

  // Jive seed: "400 (Bad Request)If any input field is missing or malformed".
  it('answers "400 (Bad Request)If any input field is missing or malformed" for a malformed id, naming the parameter', async () => {
    const badId = (r: Reply, name = 'id') => {
      expect([r.status, r.body.details]).toEqual([400, [expect.objectContaining({ path: `/path/${name}` })]]);
    };
    badId(await h.call('GET', '/v1/webhooks/not-a-uuid', { key: full }));
    badId(await h.call('PUT', '/v1/webhooks/not-a-uuid', { key: full, body: { enabled: false } }));
    badId(await h.call('DELETE', '/v1/webhooks/not-a-uuid', { key: full }));
    badId(await h.call('PUT', '/v1/webhooks/not-a-uuid/enable', { key: full }));
    badId(await h.call('GET', '/v1/webhooks/not-a-uuid/deliveries', { key: full }));
    badId(await h.call('GET', '/v1/deliveries/not-a-uuid', { key: full }));
    badId(await h.call('POST', '/v1/deliveries/not-a-uuid/retry', { key: full }));
    badId(await h.call('DELETE', '/v1/api-keys/not-a-uuid', { key: full }));
    badId(await h.call('GET', `/v1/events/${'e'.repeat(MAX_ID_LENGTH + 1)}`, { key: full }));
    badId(await h.call('PATCH', '/v1/tenants/not-a-uuid', { headers: admin, body: { webhook_limit: 5 } }));
    badId(await h.call('DELETE', '/v1/tenants/not-a-uuid', { headers: admin }));
    badId(await h.call('GET', '/v1/tenants/not-a-uuid/api-keys', { headers: admin }));
    badId(await h.call('POST', '/v1/tenants/not-a-uuid/api-keys', { headers: admin }));
    badId(await h.call('DELETE', `/v1/tenants/${tenantId}/api-keys/not-a-uuid`, { headers: admin }), 'keyId');
    badId(await h.call('PUT', '/v1/secrets/-bad-name', { key: full, body: { value: 'v' } }), 'name');
    // The scope is checked first: a read-only key learns nothing about the id it may not use.
    expectForbidden(await h.call('DELETE', '/v1/webhooks/not-a-uuid', { key: readOnly }), 'manage');
  });

  // Jive seed: "404 (Not Found)If the requested webhook does not exist".
  it('answers "404 (Not Found)If the requested webhook does not exist" for another tenant\'s webhook, never revealing it', async () => {
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${webhookId}`],
      ['PUT', `/v1/webhooks/${webhookId}/enable`],
      ['DELETE', `/v1/webhooks/${webhookId}`],
      ['GET', `/v1/webhooks/${webhookId}/deliveries`],
    ] as const) {
      const r = await h.call(method, path, { key: stranger });
      expect([method, path, r.status, r.body]).toEqual([method, path, 404, { error: 'webhook not found' }]);
    }
    const unknown = await h.call('GET', `/v1/webhooks/${randomUUID()}`, { key: full });
    expect([unknown.status, unknown.body]).toEqual([404, { error: 'webhook not found' }]);
  });
});
