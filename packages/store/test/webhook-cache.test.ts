import { randomBytes } from 'node:crypto';
import { createLogger, SecretBox } from '@hookstream/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@hookstream/test-kit';
import { WebhookCache, getTenantSecret, listTenantSecrets, openWebhookSecrets, putTenantSecret, sealWebhookSecrets } from '../src/index.js';

describe('webhook cache kept fresh by the change feed', () => {
  let t: TestDatabase;
  let cache: WebhookCache;
  let tenantId: string;
  const insertWebhook = async (object: string) => {
    const [row] = await t
      .db('webhooks')
      .insert({ tenant_id: tenantId, kind: 'content', object, spec: JSON.stringify({ kind: 'content', object }), fingerprint: object })
      .returning('id');
    return row.id as string;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    [{ id: tenantId }] = await t.db('tenants').insert({ name: 'acme', api_key_hash: 'h', api_key_hint: 'x' }).returning('id');
    await insertWebhook('https://example.com/places/1');
    cache = new WebhookCache(t.db, t.url, createLogger('test', 'silent'));
    await cache.start();
  });
  afterAll(async () => {
    await cache.stop();
    await t.drop();
  });

  it('loads existing webhooks at start', () => {
    expect(cache.ready).toBe(true);
    expect([...cache.all()].map((w) => w.object)).toEqual(['https://example.com/places/1']);
  });

  it('sees an insert, an update and a delete within a second', async () => {
    const id = await insertWebhook('https://example.com/places/2');
    await waitFor(() => cache.get(id), { timeoutMs: 1000, what: 'insert' });
    await t
      .db('webhooks')
      .where({ id })
      .update({ enabled: false, revision: t.db.raw('revision + 1') });
    await waitFor(() => cache.get(id)?.enabled === false, { timeoutMs: 1000, what: 'update' });
    const removed: string[] = [];
    cache.on('remove', (w) => removed.push(w.id));
    await t.db('webhooks').where({ id }).delete();
    await waitFor(() => cache.get(id) === undefined, { timeoutMs: 1000, what: 'delete' });
    expect(removed).toEqual([id]);
  });
});

describe('secrets at rest', () => {
  let t: TestDatabase;
  const box = new SecretBox(randomBytes(32).toString('base64'));
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('seals webhook secrets bound to the webhook id', () => {
    const sealed = sealWebhookSecrets(box, 'w1', { token: 'tok-123', client_secret: '' });
    expect(sealed).not.toContain('tok-123');
    expect(openWebhookSecrets(box, 'w1', sealed)).toEqual({ token: 'tok-123' });
    expect(() => openWebhookSecrets(box, 'w2', sealed)).toThrow();
    expect(sealWebhookSecrets(box, 'w1', {})).toBeNull();
  });

  it('stores tenant secrets encrypted, lists names only, and rotates', async () => {
    const [{ id }] = await t.db('tenants').insert({ name: 'acme', api_key_hash: 'h', api_key_hint: 'x' }).returning('id');
    expect((await putTenantSecret(t.db, box, id, 'partner-token', 'v1-secret')).created).toBe(true);
    const raw = await t.db('tenant_secrets').where({ tenant_id: id }).first();
    expect(raw.value_enc).not.toContain('v1-secret');
    expect(await getTenantSecret(t.db, box, id, 'partner-token')).toBe('v1-secret');
    expect((await putTenantSecret(t.db, box, id, 'partner-token', 'v2-secret')).created).toBe(false);
    expect(await getTenantSecret(t.db, box, id, 'partner-token')).toBe('v2-secret');
    const listed = await listTenantSecrets(t.db, id);
    expect(listed.map((s) => s.name)).toEqual(['partner-token']);
    expect(JSON.stringify(listed)).not.toContain('secret"');
  });
});

describe('webhook cache catching up with the change feed', () => {
  let t: TestDatabase;
  let cache: WebhookCache;
  let tenantId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    [{ id: tenantId }] = await t.db('tenants').insert({ name: 'acme', api_key_hash: 'h', api_key_hint: 'x' }).returning('id');
    cache = new WebhookCache(t.db, t.url, createLogger('test', 'silent'));
    await cache.start();
  });
  afterAll(async () => {
    await cache.stop();
    await t.drop();
  });

  it('has applied every change committed before the time it is asked to catch up with', async () => {
    for (let i = 0; i < 25; i++) {
      const object = `https://example.com/places/${i}`;
      const [{ id }] = await t
        .db('webhooks')
        .insert({ tenant_id: tenantId, kind: 'content', object, spec: JSON.stringify({ kind: 'content', object }), fingerprint: object })
        .returning('id');
      await cache.catchUp(performance.now());
      expect(cache.get(id)?.object).toBe(object);
      await t.db('webhooks').where({ id }).delete();
      await cache.catchUp(performance.now());
      expect(cache.get(id)).toBeUndefined();
    }
  });

  it('shares round trips between concurrent callers', async () => {
    const since = performance.now();
    await Promise.all(Array.from({ length: 50 }, () => cache.catchUp(since)));
    // Covered now: asking again for the same time costs nothing and resolves at once.
    let done = false;
    void cache.catchUp(since).then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toBe(true);
  });

  it('counts each committed transaction once, and has applied its rows when the count reaches it', async () => {
    const counter = async () => Number((await t.db('webhook_change_seq').first('value')).value);
    for (let i = 0; i < 10; i++) {
      const before = await counter();
      const ids = await t.db.transaction(async (trx) => {
        const rows = await trx('webhooks')
          .insert(
            [0, 1, 2].map((j) => {
              const object = `https://example.com/seq/${i}/${j}`;
              return { tenant_id: tenantId, kind: 'content', object, spec: JSON.stringify({ kind: 'content', object }), fingerprint: object };
            }),
          )
          .returning('id');
        await trx('webhooks')
          .where({ id: rows[0].id })
          .update({ enabled: false, revision: trx.raw('revision + 1') });
        return rows.map((r: { id: string }) => r.id as string);
      });
      const value = await counter();
      expect(value).toBe(before + 1);
      // Checked in the same tick the count is seen: no catch-up round trip in between.
      const applied = await waitFor(() => (cache.seq >= value ? ids.map((id) => cache.get(id)?.object ?? 'missing') : undefined), {
        timeoutMs: 5000,
        what: 'the count',
      });
      expect(applied).toEqual([0, 1, 2].map((j) => `https://example.com/seq/${i}/${j}`));
      expect(cache.get(ids[0]!)?.enabled).toBe(false);
    }
  });

  it('fails, rather than hangs, while the feed is down', async () => {
    await cache.stop();
    await expect(cache.catchUp(performance.now())).rejects.toThrow(/not connected/);
  });
});
