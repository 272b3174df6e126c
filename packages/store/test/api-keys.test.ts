import { createLogger } from '@hookstream/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@hookstream/test-kit';
import {
  ApiKeyChangeFeed,
  WebhookCache,
  createApiKey,
  createTenant,
  disableTenant,
  enableTenant,
  findKeyOwner,
  findTenantDetail,
  listApiKeys,
  listTenants,
  migrateLatest,
  recordKeysUsed,
  revokeApiKey,
  type ApiKeyChange,
} from '../src/index.js';
import type { Migration } from '../src/migrate.js';
import { migrations } from '../src/migrations/index.js';

const silent = createLogger('test', 'silent');

describe('migration 0008 moves every tenant key into api_keys', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('keeps a key created before the migration valid, and empties the old column', async () => {
    const before = migrations.slice(
      0,
      migrations.findIndex((m) => m.name === '0008-api-keys'),
    );
    await t.db.migrate.latest({
      migrationSource: {
        getMigrations: async () => before,
        getMigrationName: (m: Migration) => m.name,
        getMigration: async (m: Migration) => ({ up: m.up, down: m.down, config: { transaction: m.transaction ?? true } }),
      },
    });
    const [{ id }] = await t.db('tenants').insert({ name: 'old', api_key_hash: 'old-hash', api_key_hint: 'hs_...old1' }).returning('id');
    await migrateLatest(t.db);
    // Issue 17.1: migration 0010 gives every existing key all three scopes.
    const all = ['publish', 'read', 'manage'];
    expect(await findKeyOwner(t.db, 'old-hash')).toEqual({ keyId: expect.any(String), tenant: { id, name: 'old' }, scopes: all });
    expect(await listApiKeys(t.db, id)).toEqual([
      { id: expect.any(String), hint: 'hs_...old1', created_at: expect.any(Date), last_used_at: null, scopes: all },
    ]);
    expect(await t.db('tenants').where({ id }).first('api_key_hash')).toEqual({ api_key_hash: null });
  });
});

describe('api keys and tenants', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('creates, lists and revokes keys; a tenant keeps its last key unless the caller allows revoking it', async () => {
    const tenant = await createTenant(t.db, 'acme', { api_key_hash: 'k1', api_key_hint: 'hs_...0001' });
    const second = await createApiKey(t.db, tenant.id, { api_key_hash: 'k2', api_key_hint: 'hs_...0002' });
    expect((await listApiKeys(t.db, tenant.id)).map((k) => k.hint)).toEqual(['hs_...0001', 'hs_...0002']);
    expect(await revokeApiKey(t.db, tenant.id, second.id, { keepOne: true })).toBe('revoked');
    expect(await findKeyOwner(t.db, 'k2')).toBeUndefined();
    const [first] = await listApiKeys(t.db, tenant.id);
    expect(await revokeApiKey(t.db, tenant.id, first!.id, { keepOne: true })).toBe('last_key');
    const other = await createTenant(t.db, 'other', { api_key_hash: 'o1', api_key_hint: 'hs_...0003' });
    expect(await revokeApiKey(t.db, other.id, first!.id, { keepOne: false })).toBe('not_found');
    expect(await revokeApiKey(t.db, tenant.id, first!.id, { keepOne: false })).toBe('revoked');
    expect(await listApiKeys(t.db, tenant.id)).toEqual([]);
  });

  it('Issue 17.1: a key is created with its scopes, which its owner lookup carries; the column refuses none or an unknown one', async () => {
    const tenant = await createTenant(t.db, 'scoped', { api_key_hash: 's1', api_key_hint: 'hs_...s001' });
    await createApiKey(t.db, tenant.id, { api_key_hash: 's2', api_key_hint: 'hs_...s002' }, ['read']);
    expect((await findKeyOwner(t.db, 's2'))?.scopes).toEqual(['read']);
    expect((await listApiKeys(t.db, tenant.id)).map((k) => k.scopes)).toEqual([['publish', 'read', 'manage'], ['read']]);
    await expect(createApiKey(t.db, tenant.id, { api_key_hash: 's3', api_key_hint: 'hs_...s003' }, [])).rejects.toThrow(/check constraint/);
    await expect(createApiKey(t.db, tenant.id, { api_key_hash: 's4', api_key_hint: 'hs_...s004' }, ['admin'])).rejects.toThrow(/check constraint/);
  });

  it('records last use in one statement per batch', async () => {
    const tenant = await createTenant(t.db, 'user', { api_key_hash: 'u1', api_key_hint: 'hs_...u001' });
    const owner = (await findKeyOwner(t.db, 'u1'))!;
    const at = new Date('2026-01-02T03:04:05Z');
    await recordKeysUsed(t.db, new Map([[owner.keyId, at]]));
    expect((await listApiKeys(t.db, tenant.id))[0]!.last_used_at).toEqual(at);
  });

  it('a disabled tenant: keys find no owner, it is listed as disabled, its webhooks read as disabled in every cache; enabled again, all undone', async () => {
    const tenant = await createTenant(t.db, 'leaving', { api_key_hash: 'l1', api_key_hint: 'hs_...l001' });
    const [{ id: hookId }] = await t
      .db('webhooks')
      .insert({ tenant_id: tenant.id, kind: 'content', object: 'o', spec: JSON.stringify({ kind: 'content', object: 'o' }), fingerprint: 'f' })
      .returning('id');
    const cache = new WebhookCache(t.db, t.url, silent);
    const feed = new ApiKeyChangeFeed(t.url, silent);
    const changes: ApiKeyChange[] = [];
    feed.on('change', (c) => changes.push(c));
    await Promise.all([cache.start(), feed.start()]);
    try {
      expect(cache.get(hookId)?.enabled).toBe(true);
      expect(await disableTenant(t.db, tenant.id)).toBe(true);
      await waitFor(() => cache.get(hookId)?.enabled === false, { timeoutMs: 1000, what: 'webhook of a disabled tenant seen as disabled' });
      await waitFor(() => changes.some((c) => c.tenant_id === tenant.id), { timeoutMs: 1000, what: 'tenant change announced' });
      expect(await findKeyOwner(t.db, 'l1')).toBeUndefined();
      const page = await listTenants(t.db, { offset: 0, limit: 100 });
      expect(page.find((r) => r.id === tenant.id)).toMatchObject({ name: 'leaving', disabled_at: expect.any(Date) });
      expect(await disableTenant(t.db, '00000000-0000-0000-0000-000000000000')).toBe(false);

      // Enabled again: announced the same two ways, its key resolves, its webhook reads as enabled.
      changes.length = 0;
      const revision = Number((await t.db('webhooks').where({ id: hookId }).first('revision')).revision);
      expect(await enableTenant(t.db, tenant.id)).toBe(true);
      await waitFor(() => cache.get(hookId)?.enabled === true, { timeoutMs: 1000, what: 'webhook of an enabled tenant seen as enabled' });
      await waitFor(() => changes.some((c) => c.tenant_id === tenant.id), { timeoutMs: 1000, what: 'tenant change announced' });
      expect((await findKeyOwner(t.db, 'l1'))?.tenant.id).toBe(tenant.id);
      expect(await findTenantDetail(t.db, tenant.id)).toMatchObject({ name: 'leaving', disabled_at: null, webhook_limit: null });
      // Idempotent: an enabled tenant is left as it is, its webhooks' revision included.
      const enabledRevision = Number((await t.db('webhooks').where({ id: hookId }).first('revision')).revision);
      expect(enabledRevision).toBe(revision + 1);
      expect(await enableTenant(t.db, tenant.id)).toBe(true);
      expect(Number((await t.db('webhooks').where({ id: hookId }).first('revision')).revision)).toBe(enabledRevision);
      expect(await enableTenant(t.db, '00000000-0000-0000-0000-000000000000')).toBe(false);
    } finally {
      await Promise.all([cache.stop(), feed.stop()]);
    }
  });
});
