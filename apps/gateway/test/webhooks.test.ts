import { randomBytes, randomUUID } from 'node:crypto';
import { fixtures, webhookLifecycleEvent } from '@hookstream/schemas';
import { SecretBox } from '@hookstream/service-kit';
import { getTenantSecret, openWebhookSecrets } from '@hookstream/store';
import { firstRowWhere, overwriteWebhookColumns, webhookRow } from '@hookstream/store/testing';
import { startApp, type AppProcess, type Collector } from '@hookstream/test-kit';
import { publishable } from './helpers/events.js';
import { ADMIN_TOKEN, gatewayEnv, startHarness, type Harness } from './helpers/harness.js';

const SECRET_NAME = 'partners/daily-herald/openweb-notification-token';

describe('webhooks API', () => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  let otherKey: string;
  let events: Collector;
  const lifecycle = (webhookId: string) =>
    events
      .json<{ type: string; subject: string; tenantid: string }>()
      .filter((e) => e.subject === webhookId && e.type.startsWith('jive:webhook_'))
      .map((e) => e.type);

  beforeAll(async () => {
    h = await startHarness({ LOG_LEVEL: 'debug' });
    ({ api_key: key, id: tenantId } = await h.createTenant('daily-herald'));
    ({ api_key: otherKey } = await h.createTenant('someone-else'));
    events = await h.kafka.consume(h.kafka.topics.events);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('notification configuration examples of the notification seed', () => {
    it('refuses the secret-store example while the named secret does not exist (400 at /auth_config/secret_name)', async () => {
      const r = await h.call('POST', '/v1/webhooks', { key, body: fixtures.webhookRequests.notificationToken });
      expect(r.status).toBe(400);
      expect(r.body.details).toEqual([expect.objectContaining({ path: '/auth_config/secret_name', message: expect.stringMatching(/no secret named/) })]);
    });

    it('accepts the first example (partner_secret_token by secret name) once the secret exists', async () => {
      const put = await h.call('PUT', `/v1/secrets/${SECRET_NAME}`, { key, body: { value: 'first-token-value-123' } });
      expect(put.status).toBe(201);
      expect(put.body).toEqual({ name: SECRET_NAME, updated_at: expect.any(String) });
      const r = await h.call('POST', '/v1/webhooks', { key, body: fixtures.webhookRequests.notificationToken });
      expect(r.status).toBe(201);
      expect(r.headers.get('location')).toBe(`/v1/webhooks/${r.body.id}`);
      expect(r.body).toMatchObject({
        kind: 'notification',
        endpoint: 'https://hooks.dailyherald.example/openweb/notifications',
        enabled: true,
        buggy: false,
        auth_type: 'partner_secret_token',
        auth_config: { secret_name: SECRET_NAME, header_name: 'x-openweb-notification-event-webhook-token', has_token: false },
        retry_base: 2,
        retry_max_count: 5,
        registered_events: { email: ['user-mentioned', 'user-followed', 'liked-message'], 'in-app': [] },
        uri: `https://hookstream.test/v1/webhooks/${r.body.id}`,
        resources: { self: { ref: `https://hookstream.test/v1/webhooks/${r.body.id}` } },
      });
      await waitUntil(() => lifecycle(r.body.id).length === 1);
      expect(lifecycle(r.body.id)).toEqual(['jive:webhook_created']);
      const published = events.json<Record<string, any>>().find((e) => e.subject === r.body.id)!;
      expect(published).toMatchObject({ tenantid: tenantId, data: { verb: 'jive:webhook_created', jive: { objectID: r.body.id, objectType: 'webhook' } } });
    });

    it('accepts the second example (client_secret_jwt, alias type) and keeps client_secret out of the response, encrypted at rest', async () => {
      const body = fixtures.webhookRequests.notificationJwt;
      const r = await h.call('POST', '/v1/webhooks', { key, body });
      expect(r.status).toBe(201);
      expect(r.body.auth_config).toMatchObject({
        client_id: 'openweb-notifier',
        has_client_secret: true,
        extra_grants: { scope: 'notifications:write', realm: 'partners' },
      });
      expect(r.body.auth_config.client_secret).toBeUndefined();
      expect(r.body.registered_events.email).toEqual(['user-mentioned', 'replied-message', 'liked-message']);
      expect(r.text).not.toContain(body.auth_config.client_secret);
      const row = (await webhookRow(h.pg.db, r.body.id))!;
      expect(JSON.stringify(row.spec)).not.toContain(body.auth_config.client_secret);
      expect(row.secrets_enc).not.toContain(body.auth_config.client_secret);
      const box = new SecretBox(h.env.HOOKSTREAM_SECRET_KEY!);
      expect(openWebhookSecrets(box, row.id, row.secrets_enc)).toEqual({ client_secret: body.auth_config.client_secret });
    });
  });

  describe('the three curl examples of the webhooks service seed', () => {
    it.each([
      ['contentWebhook', 'content', { events: 'document', object: 'https://sample.jiveon.com/api/core/v3/places/1020' }],
      ['userSystemWebhook', 'system', { events: 'user_account,user_session,user_membership' }],
      ['webhookSystemWebhook', 'system', { events: 'webhook' }],
    ] as const)('accepts %s as it stands', async (name, kind, expected) => {
      const r = await h.call('POST', '/v1/webhooks', { key, body: fixtures.webhookRequests[name] });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ kind, callback: 'http://your.service.com/webhooks', enabled: true, ...expected });
    });

    it('answers 409 when an identical webhook already exists for the tenant, but not for another tenant', async () => {
      const again = await h.call('POST', '/v1/webhooks', { key, body: fixtures.webhookRequests.contentWebhook });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatch(/identical webhook already exists/);
      const reordered = await h.call('POST', '/v1/webhooks', {
        key,
        body: { events: 'user_membership,user_account,user_session', callback: 'http://your.service.com/webhooks' },
      });
      expect(reordered.status).toBe(409);
      const other = await h.call('POST', '/v1/webhooks', { key: otherKey, body: fixtures.webhookRequests.contentWebhook });
      expect(other.status).toBe(201);
    });
  });

  // Issue 17.2: a client that knows only the seed's examples (shapes quoted from the seed) and never
  // hookstream's internal names (endpoint, registered_events, events as an array).
  describe('a client written against the webhooks service seed', () => {
    const place = 'https://sample.jiveon.com/api/core/v3/places/1020';
    // The seed's "Create a content webhook" and "Create a user system webhook" bodies, verbatim.
    const contentBody = { events: 'document', callback: 'http://your.service.com/webhooks', object: place };
    const systemBody = { events: 'user_account,user_session,user_membership', callback: 'http://your.service.com/webhooks' };
    let seedKey: string;
    beforeAll(async () => {
      ({ api_key: seedKey } = await h.createTenant('seed-client'));
    });

    it('creates, reads, filters ("?filter=object(https://sample.jiveon.com/api/core/v3/places/1020)"), updates and deletes in the seed\'s own shape', async () => {
      const created = await h.call('POST', '/v1/webhooks', { key: seedKey, body: contentBody });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ...contentBody, enabled: true });
      for (const internal of ['endpoint', 'registered_events', 'auth_type', 'auth_config', 'retry_base', 'retry_max_count']) {
        expect(created.body).not.toHaveProperty(internal);
      }
      const system = await h.call('POST', '/v1/webhooks', { key: seedKey, body: systemBody });
      expect(system.body).toMatchObject(systemBody);
      expect(system.body).not.toHaveProperty('object');

      const got = await h.call('GET', `/v1/webhooks/${created.body.id}`, { key: seedKey });
      expect(got.body).toEqual(created.body);
      // "fields ... The fields to be included in the response"
      const narrowed = await h.call('GET', `/v1/webhooks/${created.body.id}?fields=callback,events,object`, { key: seedKey });
      expect(narrowed.body).toEqual({ id: created.body.id, ...contentBody });

      // The seed's filter example, sent as it is written.
      const filtered = await h.call('GET', `/v1/webhooks?filter=object(${place})&fields=callback,events,object`, { key: seedKey });
      expect(filtered.status).toBe(200);
      expect(filtered.body).toMatchObject({ startIndex: 0, itemsPerPage: 25, links: {} });
      expect(filtered.body.list).toEqual([{ id: created.body.id, ...contentBody }]);
      const all = await h.call('GET', '/v1/webhooks', { key: seedKey });
      expect(all.body.list.map((w: { events: string }) => w.events).sort()).toEqual([contentBody.events, systemBody.events]);

      // "A Webhook containing the updated attributes": what GET gave, with one attribute changed.
      const updated = await h.call('PUT', `/v1/webhooks/${created.body.id}`, { key: seedKey, body: { ...got.body, events: 'document,discussion' } });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ ...contentBody, events: 'document,discussion' });
      expect((await h.call('GET', `/v1/webhooks/${created.body.id}`, { key: seedKey })).body.events).toBe('document,discussion');

      expect((await h.call('DELETE', `/v1/webhooks/${created.body.id}`, { key: seedKey })).status).toBe(204);
      expect((await h.call('GET', `/v1/webhooks/${created.body.id}`, { key: seedKey })).status).toBe(404);
    });

    it('filters by an object URI that contains a comma ("multiple values separated by commas" splits only between URIs)', async () => {
      const commaPlace = 'https://sample.jiveon.com/api/core/v3/places/1020,1021';
      const created = await h.call('POST', '/v1/webhooks', {
        key: seedKey,
        body: { events: 'document', callback: 'https://partner.example/comma', object: commaPlace },
      });
      expect(created.status).toBe(201);
      const one = await h.call('GET', `/v1/webhooks?filter=${encodeURIComponent(`object(${commaPlace})`)}&fields=object`, { key: seedKey });
      expect(one.body.list).toEqual([{ id: created.body.id, object: commaPlace }]);
      const two = await h.call('GET', `/v1/webhooks?filter=${encodeURIComponent(`object(${commaPlace},${place})`)}&fields=object`, { key: seedKey });
      expect(two.body.list.map((w: { object: string }) => w.object)).toEqual([commaPlace]);
    });

    it('a full update in the notification shape makes it a notification webhook, read back in that shape', async () => {
      const created = await h.call('POST', '/v1/webhooks', { key: seedKey, body: { events: 'webhook', callback: 'https://partner.example/shape' } });
      const notification = { endpoint: 'https://partner.example/shape', registered_events: { email: ['user-followed'], 'in-app': [] } };
      const r = await h.call('PUT', `/v1/webhooks/${created.body.id}`, { key: seedKey, body: notification });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ kind: 'notification', ...notification });
      expect(r.body).not.toHaveProperty('callback');
    });

    // Create, Update and Update (enable) each take "fields ... The fields to be included in the response".
    it('narrows the answers of create, update and enable to "fields" too', async () => {
      const body = { events: 'document', callback: 'https://partner.example/fields', object: `${place}/fields` };
      const created = await h.call('POST', '/v1/webhooks?fields=callback', { key: seedKey, body });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), callback: body.callback });
      const updated = await h.call('PUT', `/v1/webhooks/${created.body.id}?fields=events,enabled`, { key: seedKey, body: { ...body, enabled: false } });
      expect(updated.body).toEqual({ id: created.body.id, events: 'document', enabled: false });
      const enabled = await h.call('PUT', `/v1/webhooks/${created.body.id}/enable?fields=enabled`, { key: seedKey });
      // Besides the fields asked for, enable reports how many held deliveries it replayed (issue 17.4).
      expect(enabled.body).toEqual({ id: created.body.id, enabled: true, recovered_deliveries: 0 });
      expect((await h.call('POST', '/v1/webhooks?fields=nope', { key: seedKey, body: { ...body, object: `${place}/nope` } })).status).toBe(400);
    });
  });

  describe('validation', () => {
    it('answers 400 with field errors for an invalid webhook and for content mixed with system types', async () => {
      const bad = await h.call('POST', '/v1/webhooks', { key, body: { ...fixtures.webhookRequests.notificationToken, retry_base: 9, retry_bsae: 1 } });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid webhook');
      expect(bad.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: '/retry_base' }), expect.objectContaining({ path: '/retry_bsae' })]),
      );
      const mixed = await h.call('POST', '/v1/webhooks', { key, body: { events: 'document,user_account', callback: 'https://x.example/hook' } });
      expect(mixed.status).toBe(400);
      expect(mixed.body.details).toEqual([expect.objectContaining({ path: '/events', message: expect.stringMatching(/cannot be mixed/) })]);
      const systemWithObject = await h.call('POST', '/v1/webhooks', {
        key,
        body: { events: 'user_account', callback: 'https://x.example/hook', object: 'https://sample.jiveon.com/api/core/v3/places/1' },
      });
      expect(systemWithObject.status).toBe(400);
      expect(systemWithObject.body.details[0].path).toBe('/events');
    });

    it('answers 400 for malformed JSON and 415 for a non-JSON body', async () => {
      const r = await h.call('POST', '/v1/webhooks', { key, raw: '{"callback": }', headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/^malformed JSON at position 13/);
      const t = await h.call('POST', '/v1/webhooks', { key, raw: 'callback=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(t.status).toBe(415);
    });
  });

  describe('list, get, update, delete, enable', () => {
    let ids: string[] = [];
    const object = (n: number) => `https://sample.jiveon.com/api/core/v3/places/${9000 + n}`;
    beforeAll(async () => {
      ids = [];
      for (let n = 0; n < 5; n++) {
        const r = await h.call('POST', '/v1/webhooks', { key: otherKey, body: { callback: 'https://partner.example/hook', object: object(n) } });
        ids.push(r.body.id);
      }
    });

    it('pages like the seed (startIndex, itemsPerPage, list, links.next / links.previous)', async () => {
      const first = await h.call('GET', '/v1/webhooks?count=2', { key: otherKey });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ startIndex: 0, itemsPerPage: 2 });
      expect(first.body.list).toHaveLength(2);
      expect(first.body.links.previous).toBeUndefined();
      expect(first.body.links.next).toBe('https://hookstream.test/v1/webhooks?startIndex=2&count=2');
      const seen: string[] = [];
      let path: string | undefined = '/v1/webhooks?count=2';
      while (path) {
        const page: any = await h.call('GET', path, { key: otherKey });
        seen.push(...page.body.list.map((w: { id: string }) => w.id));
        path = page.body.links.next?.replace('https://hookstream.test', '');
      }
      expect(seen).toHaveLength(6); // five plus the content webhook registered earlier by this tenant
      expect(new Set(seen).size).toBe(6);
      const last = await h.call('GET', '/v1/webhooks?startIndex=4&count=2', { key: otherKey });
      expect(last.body.links.previous).toBe('https://hookstream.test/v1/webhooks?startIndex=2&count=2');
      expect(last.body.links.next).toBeUndefined();
    });

    it('filters by object and narrows fields', async () => {
      const r = await h.call('GET', `/v1/webhooks?filter=${encodeURIComponent(`object(${object(3)})`)}&fields=object,enabled`, { key: otherKey });
      expect(r.status).toBe(200);
      expect(r.body.list).toEqual([{ id: ids[3], object: object(3), enabled: true }]);
      expect((await h.call('GET', '/v1/webhooks?filter=owner(x)', { key: otherKey })).status).toBe(400);
      expect((await h.call('GET', '/v1/webhooks?count=0', { key: otherKey })).body.details[0].path).toBe('/query/count');
      expect((await h.call('GET', '/v1/webhooks?fields=nope', { key: otherKey })).status).toBe(400);
    });

    it("gets one webhook, and answers 404 for another tenant's webhook or an unknown id", async () => {
      const r = await h.call('GET', `/v1/webhooks/${ids[0]}?fields=object`, { key: otherKey });
      expect(r.body).toEqual({ id: ids[0], object: object(0) });
      const foreign = await h.call('GET', `/v1/webhooks/${ids[0]}`, { key });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: 'webhook not found' });
      expect((await h.call('PUT', `/v1/webhooks/${ids[0]}`, { key, body: { enabled: false } })).status).toBe(404);
      expect((await h.call('DELETE', `/v1/webhooks/${ids[0]}`, { key })).status).toBe(404);
      expect((await h.call('PUT', `/v1/webhooks/${ids[0]}/enable`, { key })).status).toBe(404);
      expect((await h.call('GET', `/v1/webhooks/${randomUUID()}`, { key: otherKey })).status).toBe(404);
      expect((await h.call('GET', '/v1/webhooks/not-a-uuid', { key: otherKey })).status).toBe(400);
    });

    it('disables through PUT {enabled:false} and re-enables through PUT /enable, publishing the system events; enable is a no-op when enabled', async () => {
      const id = ids[1]!;
      const off = await h.call('PUT', `/v1/webhooks/${id}`, { key: otherKey, body: { enabled: false } });
      expect(off.status).toBe(200);
      expect(off.body.enabled).toBe(false);
      const on = await h.call('PUT', `/v1/webhooks/${id}/enable`, { key: otherKey });
      expect(on.status).toBe(200);
      expect(on.body.enabled).toBe(true);
      const noop = await h.call('PUT', `/v1/webhooks/${id}/enable`, { key: otherKey });
      expect(noop.body.updated_at).toBe(on.body.updated_at);
      await waitUntil(() => lifecycle(id).length === 3);
      expect(lifecycle(id)).toEqual(['jive:webhook_created', 'jive:webhook_disabled', 'jive:webhook_enabled']);
      const row = (await webhookRow(h.pg.db, id))!;
      expect(Number(row.revision)).toBe(3);
    });

    it('re-enables a buggy webhook: buggy and consecutive_failures reset, marked_not_buggy published', async () => {
      const id = ids[2]!;
      await overwriteWebhookColumns(h.pg.db, id, { buggy: true, consecutive_failures: 17, marked_buggy_at: new Date() });
      const r = await h.call('PUT', `/v1/webhooks/${id}/enable`, { key: otherKey });
      expect(r.body).toMatchObject({ enabled: true, buggy: false, consecutive_failures: 0, marked_buggy_at: null });
      await waitUntil(() => lifecycle(id).length === 2);
      expect(lifecycle(id)).toEqual(['jive:webhook_created', 'jive:webhook_marked_not_buggy']);
    });

    it('a webhook the worker disabled because its endpoint answered 410 shows disabled_reason gone, and PUT /enable enables it again and clears it', async () => {
      const id = ids[2]!;
      await overwriteWebhookColumns(h.pg.db, id, { enabled: false, disabled_reason: 'gone' });
      const before = await h.call('GET', `/v1/webhooks/${id}`, { key: otherKey });
      expect(before.body).toMatchObject({ enabled: false, disabled_reason: 'gone' });
      const r = await h.call('PUT', `/v1/webhooks/${id}/enable`, { key: otherKey });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ enabled: true, disabled_reason: null });
      expect(await webhookRow(h.pg.db, id)).toMatchObject({ enabled: true, disabled_reason: null });
    });

    it('replaces a webhook through PUT with a full body, and answers 409 when that makes it identical to another', async () => {
      const id = ids[3]!;
      await h.call('PUT', `/v1/webhooks/${id}`, { key: otherKey, body: { enabled: false } });
      const r = await h.call('PUT', `/v1/webhooks/${id}`, {
        key: otherKey,
        body: { callback: 'https://partner.example/other-hook', object: object(3), events: 'document,discussion', description: 'docs' },
      });
      expect(r.status).toBe(200);
      // A replacement that does not mention `enabled` keeps the webhook disabled.
      expect(r.body).toMatchObject({ callback: 'https://partner.example/other-hook', events: 'document,discussion', description: 'docs', enabled: false });
      const on = await h.call('PUT', `/v1/webhooks/${id}`, {
        key: otherKey,
        body: { callback: 'https://partner.example/other-hook', object: object(3), enabled: true },
      });
      expect(on.body).toMatchObject({ enabled: true });
      expect(on.body).not.toHaveProperty('events');
      await waitUntil(() => lifecycle(id).length === 3);
      expect(lifecycle(id)).toEqual(['jive:webhook_created', 'jive:webhook_disabled', 'jive:webhook_enabled']);
      const clash = await h.call('PUT', `/v1/webhooks/${id}`, { key: otherKey, body: { callback: 'https://partner.example/hook', object: object(4) } });
      expect(clash.status).toBe(409);
      const invalid = await h.call('PUT', `/v1/webhooks/${id}`, { key: otherKey, body: { enabled: 'no' } });
      expect(invalid.status).toBe(400);
    });

    // Jive seed's tuning table: "jive.webhooks.consumer.payload_size Number of notifications to include in a single callback. 100".
    it('issue 17.3: a Jive webhook stores payload_size 100 and callbacks_per_exec 3 when created; an update that names neither keeps the stored values', async () => {
      const callback = `https://partner.example/tuning-${randomUUID()}`;
      const created = await h.call('POST', '/v1/webhooks', { key, body: { events: 'user_account', callback } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ batch_size: 100, max_in_flight: 3 });
      const older = await h.call('POST', '/v1/webhooks', { key, body: { events: 'user_session', callback, payload_size: 1, callbacks_per_exec: 5 } });
      expect(older.body).toMatchObject({ batch_size: 1, max_in_flight: 5 });
      const replaced = await h.call('PUT', `/v1/webhooks/${older.body.id}`, { key, body: { events: 'user_session,stream', callback } });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ batch_size: 1, max_in_flight: 5 });
      const tuned = await h.call('PUT', `/v1/webhooks/${older.body.id}`, { key, body: { events: 'user_session', callback, payload_size: 50 } });
      expect(tuned.body).toMatchObject({ batch_size: 50, max_in_flight: 5 });
      const both = await h.call('PUT', `/v1/webhooks/${older.body.id}`, { key, body: { events: 'user_session', callback, payload_size: 50, batch_size: 20 } });
      expect(both.status).toBe(400);
      expect(both.body.details).toEqual([expect.objectContaining({ path: '/payload_size' })]);
    });

    it('issue 19.2: ordering fifo is accepted on both shapes and read back (also with fields=); any other value is a 400 at /ordering', async () => {
      const callback = `https://partner.example/fifo-${randomUUID()}`;
      const entity = await h.call('POST', '/v1/webhooks', { key, body: { events: 'user_account', callback, ordering: 'fifo' } });
      expect(entity.status).toBe(201);
      expect(entity.body).toMatchObject({ ordering: 'fifo' });
      const notification = await h.call('POST', '/v1/webhooks', {
        key,
        body: { endpoint: `${callback}/n`, registered_events: { email: ['replied-message'], 'in-app': [] }, ordering: 'fifo' },
      });
      expect(notification.status).toBe(201);
      expect(notification.body).toMatchObject({ ordering: 'fifo' });
      const read = await h.call('GET', `/v1/webhooks/${notification.body.id}?fields=ordering`, { key });
      expect(read.body).toMatchObject({ ordering: 'fifo' });
      const plain = await h.call('POST', '/v1/webhooks', { key, body: { events: 'user_account', callback: `${callback}/p` } });
      expect(plain.body.ordering).toBeUndefined();
      const bad = await h.call('POST', '/v1/webhooks', { key, body: { events: 'user_account', callback, ordering: 'lifo' } });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ path: '/ordering' })]);
    });

    it('deletes a webhook (204, then 404) and publishes webhook_deleted', async () => {
      const id = ids[4]!;
      expect((await h.call('DELETE', `/v1/webhooks/${id}`, { key: otherKey })).status).toBe(204);
      expect((await h.call('GET', `/v1/webhooks/${id}`, { key: otherKey })).status).toBe(404);
      await waitUntil(() => lifecycle(id).length === 2);
      expect(lifecycle(id)).toEqual(['jive:webhook_created', 'jive:webhook_deleted']);
    });
  });

  describe('secrets', () => {
    it('lists names and times only, rotates a secret in place, and stores values encrypted', async () => {
      const name = 'rotating-secret';
      expect((await h.call('PUT', `/v1/secrets/${name}`, { key, body: { value: 'value-one-xyz' } })).status).toBe(201);
      const rotated = await h.call('PUT', `/v1/secrets/${name}`, { key, body: { value: 'value-two-xyz' } });
      expect(rotated.status).toBe(200);
      const list = await h.call('GET', '/v1/secrets', { key });
      expect(list.body.list.map((s: { name: string }) => s.name)).toEqual([SECRET_NAME, name]);
      expect(Object.keys(list.body.list[1]).sort()).toEqual(['created_at', 'name', 'updated_at']);
      expect(list.text).not.toContain('value-two-xyz');
      const stored = (await firstRowWhere(h.pg.db, 'tenant_secrets', { tenant_id: tenantId, name }))!;
      expect(stored.value_enc).not.toContain('value-two-xyz');
      // What the delivery worker reads at send time is the rotated value.
      expect(await getTenantSecret(h.pg.db, new SecretBox(h.env.HOOKSTREAM_SECRET_KEY!), tenantId, name)).toBe('value-two-xyz');
      expect((await h.call('GET', '/v1/secrets', { key: otherKey })).body.list).toEqual([]);
      // A slash in a name may also be sent as %2F.
      expect((await h.call('PUT', '/v1/secrets/team%2Fthing', { key, body: { value: 'v' } })).body.name).toBe('team/thing');
      expect((await h.call('PUT', '/v1/secrets/bad%20name', { key, body: { value: 'v' } })).status).toBe(400);
      expect((await h.call('PUT', '/v1/secrets/x', { key, body: { value: 42 } })).body.details[0].path).toBe('/value');
    });
  });

  it('never shows a secret sent in a webhook in any response body or log line', async () => {
    const token = `tok-LEAK-${randomUUID()}`;
    const clientSecret = `cs-LEAK-${randomUUID()}`;
    const signing = 'whsec_' + randomBytes(32).toString('base64');
    const storeValue = `store-LEAK-${randomUUID()}`;
    const created = await h.call('POST', '/v1/webhooks', {
      key,
      body: {
        endpoint: 'https://leak.example/hook',
        auth_type: 'partner_secret_token',
        auth_config: { token },
        signing_secret: signing,
        registered_events: { email: ['user-followed'] },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.auth_config).toEqual({ header_name: 'x-openweb-notification-event-webhook-token', has_token: true });
    expect(created.body.has_signing_secret).toBe(true);
    const id = created.body.id as string;
    await h.call('GET', `/v1/webhooks/${id}`, { key });
    await h.call('GET', '/v1/webhooks?count=100', { key });
    await h.call('PUT', `/v1/webhooks/${id}`, {
      key,
      body: {
        endpoint: 'https://leak.example/hook2',
        auth_type: 'client_secret_jwt',
        auth_config: { client_id: 'c', client_secret: clientSecret, audience: 'a', token_uri: 'https://auth.leak.example/token' },
      },
    });
    await h.call('PUT', `/v1/webhooks/${id}/enable`, { key });
    await h.call('PUT', '/v1/secrets/leaky', { key, body: { value: storeValue } });
    await h.call('GET', '/v1/secrets', { key });
    // Invalid and malformed bodies carrying secrets: the errors name paths, never values.
    await h.call('POST', '/v1/webhooks', { key, body: { endpoint: 'https://leak.example/x', auth_config: { token } } });
    await h.call('POST', '/v1/webhooks', {
      key,
      body: { endpoint: 'https://leak.example/y', signing_secret: 42, auth_type: 'partner_secret_token', auth_config: { token, extra: clientSecret } },
    });
    await h.call('POST', '/v1/webhooks', {
      key,
      raw: `{"endpoint": "https://x", "auth_config": {"token": ${token}}}`,
      headers: { 'content-type': 'application/json' },
    });
    await h.call('PUT', '/v1/secrets/leaky', { key, raw: `{"value": ${storeValue}}`, headers: { 'content-type': 'application/json' } });
    await h.call('POST', '/v1/webhooks', {
      key,
      body: {
        endpoint: 'https://leak.example/hook2',
        auth_type: 'client_secret_jwt',
        auth_config: { client_id: 'c', client_secret: clientSecret, audience: 'a', token_uri: 'https://auth.leak.example/token' },
      },
    });
    const row = (await webhookRow(h.pg.db, id))!;
    expect(openWebhookSecrets(new SecretBox(h.env.HOOKSTREAM_SECRET_KEY!), id, row.secrets_enc)).toEqual({ client_secret: clientSecret });
    const everything = [...h.responses, ...h.app.output()].join('\n');
    expect(h.responses.length).toBeGreaterThan(10);
    expect(h.app.output().length).toBeGreaterThan(3);
    for (const secret of [token, clientSecret, signing, storeValue]) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('LEAK-');
  });

  describe('endpoint URL policy without HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS', () => {
    let strict: AppProcess;
    beforeAll(async () => {
      strict = await startApp('gateway', { env: gatewayEnv(h.pg, h.kafka, { HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: 'false' }) });
    });
    afterAll(async () => {
      await strict?.stop('SIGTERM');
    });

    it.each([
      ['http://your.service.com/webhooks', /https:\/\/ URL/],
      ['https://127.0.0.1/hook', /non-public address/],
      ['https://localhost:8443/hook', /local host name/],
      ['https://10.1.2.3/hook', /non-public address/],
      ['https://169.254.169.254/latest/meta-data', /non-public address/],
      ['https://[::1]/hook', /non-public address/],
      ['https://[fe80::1]/hook', /non-public address/],
      ['https://[::ffff:0:a9fe:a9fe]/hook', /non-public address/],
    ])('refuses %s', async (callback, message) => {
      const r = await h.call('POST', '/v1/webhooks', { key, body: { callback, events: 'webhook' }, baseUrl: strict.baseUrl });
      expect(r.status).toBe(400);
      expect(r.body.details).toEqual([expect.objectContaining({ path: '/callback', message: expect.stringMatching(message) })]);
    });

    it('accepts a public https endpoint', async () => {
      const r = await h.call('POST', '/v1/webhooks', {
        key,
        body: { callback: 'https://hooks.partner.example/jive', events: 'social_group' },
        baseUrl: strict.baseUrl,
      });
      expect(r.status).toBe(201);
    });
  });
  describe('#16 input rules', () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const contentWebhook = () => ({ ...fixtures.webhookRequests.contentWebhook, object: `https://sample.jiveon.com/api/core/v3/places/${randomUUID()}` });

    it('#16.1 refuses a token header name that sets framing or platform headers (400 at /auth_config/header_name)', async () => {
      for (const header_name of ['Content-Length', 'Host', 'Transfer-Encoding', 'Expect', 'webhook-signature']) {
        const r = await h.call('POST', '/v1/webhooks', {
          key,
          body: { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'partner-token-123', header_name } },
        });
        expect(r.status).toBe(400);
        expect(r.body.details).toEqual([expect.objectContaining({ path: '/auth_config/header_name', rule: 'headerName' })]);
      }
    });

    it('#16.2 refuses a signing secret the Standard Webhooks libraries cannot read, saying how to make one', async () => {
      for (const signing_secret of ['a-plain-signing-secret-of-more-than-24-characters', 'whsec_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!']) {
        const r = await h.call('POST', '/v1/webhooks', { key, body: { ...contentWebhook(), signing_secret } });
        expect(r.status).toBe(400);
        expect(r.body.details).toEqual([expect.objectContaining({ path: '/signing_secret', message: expect.stringContaining('openssl rand -base64 32') })]);
      }
    });

    it('#16.7 refuses JSON nested deeper than 64 levels (a 181 KB body of depth 30,000) with 400 and the path where the limit was passed', async () => {
      const depth = 30_000;
      const data = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const { data: _d, ...envelope } = publishable('replied-message');
      const raw = JSON.stringify(envelope).replace(/}$/, `,"data":${data}}`);
      expect(raw.length).toBeGreaterThan(180_000);
      const single = await h.call('POST', '/v1/events', { key, raw, headers: { 'content-type': 'application/cloudevents+json' } });
      expect(single.status).toBe(400);
      // The event object is level 1 and `data` level 2: the 65th level is the 63rd nested "a".
      const at = '/data' + '/a'.repeat(63);
      expect(single.body.details).toEqual([expect.objectContaining({ path: at, rule: 'maxDepth', message: expect.stringContaining('64') })]);

      const batch = await h.call('POST', '/v1/events/batch', { key, raw: `[${raw}]`, headers: { 'content-type': 'application/cloudevents-batch+json' } });
      expect(batch.status).toBe(400);
      expect(batch.body.details).toEqual([expect.objectContaining({ path: '/0' + at, rule: 'maxDepth' })]);

      const webhook = await h.call('POST', '/v1/webhooks', {
        key,
        raw: `{"callback":"https://x.example/","x":${'['.repeat(100)}${']'.repeat(100)}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(webhook.status).toBe(400);
      expect(webhook.body.details).toEqual([expect.objectContaining({ path: '/x' + '/0'.repeat(63), rule: 'maxDepth' })]);
    });

    it('#16.13 refuses events that impersonate the platform: lifecycle types and hookstream/ sources (single and batch)', async () => {
      const { tenantid: _t, ...forged } = webhookLifecycleEvent({
        verb: 'jive:webhook_deleted',
        tenantId,
        webhookId: randomUUID(),
        publicUrl: 'https://hookstream.test',
        by: 'partner',
      });
      const lifecycleType = { ...forged, source: 'https://partner.example/app' };
      const platformSource = publishable('replied-message', { source: 'hookstream/gateway' });
      const r1 = await h.call('POST', '/v1/events', { key, body: lifecycleType });
      expect(r1.status).toBe(400);
      expect(r1.body.details).toEqual([expect.objectContaining({ path: '/type', rule: 'reserved' })]);
      const r2 = await h.call('POST', '/v1/events', { key, body: platformSource });
      expect(r2.status).toBe(400);
      expect(r2.body.details).toEqual([expect.objectContaining({ path: '/source', rule: 'reserved' })]);
      const batch = await h.call('POST', '/v1/events/batch', { key, body: [lifecycleType, platformSource, publishable('replied-message')] });
      expect(batch.status).toBe(207);
      expect(batch.body.results.map((x: { status: string }) => x.status)).toEqual(['rejected', 'rejected', 'accepted']);
      expect(batch.body.results[0].details).toEqual([expect.objectContaining({ path: '/type' })]);
      expect(batch.body.results[1].details).toEqual([expect.objectContaining({ path: '/source' })]);
    });

    it('#16.13 caps the webhooks of a tenant at its limit, set by the admin, also under concurrent creates', async () => {
      const limited = await h.createTenant('limited');
      const bad = await h.call('PATCH', `/v1/tenants/${limited.id}`, { body: { webhook_limit: -1 }, headers: admin });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ path: '/webhook_limit' })]);
      expect((await h.call('PATCH', `/v1/tenants/${limited.id}`, { key: limited.api_key, body: { webhook_limit: 3 } })).status).toBe(401);
      expect((await h.call('PATCH', `/v1/tenants/${randomUUID()}`, { body: { webhook_limit: 3 }, headers: admin })).status).toBe(404);
      const set = await h.call('PATCH', `/v1/tenants/${limited.id}`, { body: { webhook_limit: 3 }, headers: admin });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ id: limited.id, webhook_limit: 3 });

      const creates = await Promise.all(Array.from({ length: 6 }, () => h.call('POST', '/v1/webhooks', { key: limited.api_key, body: contentWebhook() })));
      expect(creates.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409, 409]);
      const refused = creates.find((r) => r.status === 409)!;
      expect(refused.body.error).toMatch(/limit of 3 webhooks/);

      const one = creates.find((r) => r.status === 201)!;
      expect((await h.call('DELETE', `/v1/webhooks/${one.body.id}`, { key: limited.api_key })).status).toBe(204);
      expect((await h.call('POST', '/v1/webhooks', { key: limited.api_key, body: contentWebhook() })).status).toBe(201);
      expect((await h.call('POST', '/v1/webhooks', { key: limited.api_key, body: contentWebhook() })).status).toBe(409);
      // Another tenant is not affected by this tenant's limit.
      expect((await h.call('POST', '/v1/webhooks', { key: otherKey, body: contentWebhook() })).status).toBe(201);
    });
  });

  // #16.3: the harness runs with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true; link-local and metadata stay refused.
  describe('endpoint URL policy with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS on', () => {
    it.each([
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://[fe80::1]/hook',
      'http://[::ffff:169.254.169.254]/hook',
    ])('refuses %s at create and update, naming the field', async (url) => {
      const created = await h.call('POST', '/v1/webhooks', { key, body: { callback: url, events: 'webhook' } });
      expect(created.status).toBe(400);
      expect(created.body.details).toEqual([expect.objectContaining({ path: '/callback', message: expect.stringMatching(/never allowed/) })]);
      const notification = await h.call('POST', '/v1/webhooks', { key, body: { ...fixtures.webhookRequests.notificationJwt, endpoint: url } });
      expect(notification.status).toBe(400);
      expect(notification.body.details).toEqual([expect.objectContaining({ path: '/endpoint', message: expect.stringMatching(/never allowed/) })]);
      const ok = await h.call('POST', '/v1/webhooks', { key, body: { callback: `http://127.0.0.1:9/${randomUUID()}`, events: 'webhook' } });
      expect(ok.status).toBe(201);
      const updated = await h.call('PUT', `/v1/webhooks/${ok.body.id}`, { key, body: { callback: url, events: 'webhook' } });
      expect(updated.status).toBe(400);
      expect(updated.body.details).toEqual([expect.objectContaining({ path: '/callback' })]);
    });

    it('refuses a tenant-supplied OAuth2 token URL on a metadata address', async () => {
      const body = {
        ...fixtures.webhookRequests.notificationJwt,
        auth_config: { ...fixtures.webhookRequests.notificationJwt.auth_config, token_uri: 'https://169.254.169.254/token' },
      };
      const r = await h.call('POST', '/v1/webhooks', { key, body });
      expect(r.status).toBe(400);
      expect(r.body.details).toEqual([
        expect.objectContaining({ path: '/auth_config/token_uri', message: expect.stringMatching(/non-public address.*never allowed/) }),
      ]);
    });
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
