import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { createTenant, findTenantByKeyHash } from '../src/index.js';

describe('tenants and their API keys', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('creates a tenant storing only the key hash and hint, and finds it by the hash', async () => {
    const created = await createTenant(t.db, 'acme', { api_key_hash: 'hash-acme', api_key_hint: 'hs_...abcd' });
    expect(created).toMatchObject({ name: 'acme', api_key_hint: 'hs_...abcd' });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.created_at).toBeInstanceOf(Date);
    expect(await findTenantByKeyHash(t.db, 'hash-acme')).toEqual({ id: created.id, name: 'acme' });
  });

  it('finds nothing for an unknown hash', async () => {
    expect(await findTenantByKeyHash(t.db, 'no-such-hash')).toBeUndefined();
  });

  it('refuses a second tenant with the same key hash', async () => {
    await createTenant(t.db, 'one', { api_key_hash: 'dup', api_key_hint: 'hs_...0001' });
    await expect(createTenant(t.db, 'two', { api_key_hash: 'dup', api_key_hint: 'hs_...0002' })).rejects.toMatchObject({ code: '23505' });
  });
});
