import { generateApiKey } from '../../src/auth/api-keys.js';
import { TenantAuthenticator, type KeyOwner } from '../../src/auth/tenant-auth.js';
import { hashToken } from '@hookstream/service-kit';

/** A key table in memory that counts lookups per hash. */
function keyTable(owners: Record<string, KeyOwner>) {
  const lookups = new Map<string, number>();
  const byHash = new Map(Object.entries(owners).map(([key, owner]) => [hashToken(key), owner]));
  return {
    lookups: (key: string) => lookups.get(hashToken(key)) ?? 0,
    lookup: async (hash: string) => {
      lookups.set(hash, (lookups.get(hash) ?? 0) + 1);
      return byHash.get(hash);
    },
  };
}

/** The table's lookups, each answered only once `release` is called (a change can arrive meanwhile). */
function heldLookup(table: ReturnType<typeof keyTable>) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const lookup = async (hash: string) => {
    await gate;
    return table.lookup(hash);
  };
  return { lookup, release };
}

const owner = (n: number, scopes: string[] = ['publish', 'read', 'manage']): KeyOwner => ({
  keyId: `key-${n}`,
  tenant: { id: `tenant-${n}`, name: `t${n}` },
  scopes,
});

describe('tenant authenticator caches', () => {
  it('Issue 17.1: the cached key carries its scopes, so a scope check costs no database read', async () => {
    const readOnly = generateApiKey();
    const table = keyTable({ [readOnly]: owner(1, ['read']) });
    const auth = new TenantAuthenticator({ lookup: table.lookup, ttlMs: 60_000 });
    expect(await auth.authenticate(readOnly)).toEqual(owner(1, ['read']));
    expect((await auth.authenticate(readOnly))?.scopes).toEqual(['read']);
    expect(table.lookups(readOnly)).toBe(1);
  });

  it('wrong keys do not evict a valid tenant cached key (separate, bounded negative cache)', async () => {
    const valid = generateApiKey();
    const table = keyTable({ [valid]: owner(1) });
    const auth = new TenantAuthenticator({ lookup: table.lookup, ttlMs: 60_000, maxEntries: 100, maxNegativeEntries: 100 });
    expect((await auth.authenticate(valid))?.tenant).toEqual(owner(1).tenant);
    for (let i = 0; i < 1000; i++) expect(await auth.authenticate(generateApiKey())).toBeUndefined();
    expect((await auth.authenticate(valid))?.tenant).toEqual(owner(1).tenant);
    expect(table.lookups(valid)).toBe(1);
  });

  it('evicts the least recently used key when full, not every key', async () => {
    const [a, b, c] = [generateApiKey(), generateApiKey(), generateApiKey()];
    const table = keyTable({ [a]: owner(1), [b]: owner(2), [c]: owner(3) });
    const auth = new TenantAuthenticator({ lookup: table.lookup, ttlMs: 60_000, maxEntries: 2 });
    await auth.authenticate(a);
    await auth.authenticate(b);
    await auth.authenticate(a);
    await auth.authenticate(c);
    await auth.authenticate(a);
    expect(table.lookups(a)).toBe(1);
    await auth.authenticate(b);
    expect(table.lookups(b)).toBe(2);
  });

  it('negative answers are bounded and LRU too: a repeated wrong key stays cached while others pass through', async () => {
    const wrong = generateApiKey();
    const table = keyTable({});
    const auth = new TenantAuthenticator({ lookup: table.lookup, ttlMs: 60_000, negativeTtlMs: 60_000, maxNegativeEntries: 3 });
    await auth.authenticate(wrong);
    for (let i = 0; i < 10; i++) {
      await auth.authenticate(generateApiKey());
      await auth.authenticate(wrong);
    }
    expect(table.lookups(wrong)).toBe(1);
  });

  it('forgets a revoked key or a disabled tenant at once, and reports each use of a key', async () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    const used: string[] = [];
    const owners: Record<string, KeyOwner> = { [a]: owner(1), [b]: { keyId: 'key-2', tenant: owner(1).tenant, scopes: ['read'] } };
    const table = keyTable(owners);
    const auth = new TenantAuthenticator({ lookup: table.lookup, ttlMs: 60_000, onUse: (id) => used.push(id) });
    await auth.authenticate(a);
    await auth.authenticate(b);
    auth.forgetKey('key-1');
    await auth.authenticate(a);
    await auth.authenticate(b);
    expect([table.lookups(a), table.lookups(b)]).toEqual([2, 1]);
    auth.forgetTenant('tenant-1');
    await auth.authenticate(b);
    expect(table.lookups(b)).toBe(2);
    expect(used).toEqual(['key-1', 'key-2', 'key-1', 'key-2', 'key-2']);
  });

  it('a tenant enabled again: its keys, remembered as unknown while it was disabled, are looked up again at once', async () => {
    const a = generateApiKey();
    const table = keyTable({ [a]: owner(1) });
    // The database's answer: no owner while the tenant is disabled.
    let disabled = true;
    const lookup = async (hash: string) => {
      const found = await table.lookup(hash);
      return disabled ? undefined : found;
    };
    const auth = new TenantAuthenticator({ lookup, ttlMs: 60_000, negativeTtlMs: 60_000 });
    expect(await auth.authenticate(a)).toBeUndefined();
    expect(await auth.authenticate(a)).toBeUndefined();
    expect(table.lookups(a)).toBe(1);
    disabled = false;
    auth.forgetTenant('tenant-1');
    expect((await auth.authenticate(a))?.tenant).toEqual(owner(1).tenant);
    expect(table.lookups(a)).toBe(2);
  });

  it('does not remember a key as unknown when a tenant changed while it was looked up', async () => {
    const a = generateApiKey();
    const table = keyTable({});
    const { lookup, release } = heldLookup(table);
    const auth = new TenantAuthenticator({ lookup, ttlMs: 60_000, negativeTtlMs: 60_000 });
    const first = auth.authenticate(a);
    auth.forgetTenant('tenant-1');
    release();
    expect(await first).toBeUndefined();
    await auth.authenticate(a);
    expect(table.lookups(a)).toBe(2);
  });

  it('does not cache an answer read before a revocation that arrived while it was read', async () => {
    const a = generateApiKey();
    const table = keyTable({ [a]: owner(1) });
    const { lookup, release } = heldLookup(table);
    const auth = new TenantAuthenticator({ lookup, ttlMs: 60_000 });
    const first = auth.authenticate(a);
    auth.forgetKey('key-1');
    release();
    expect((await first)?.tenant).toEqual(owner(1).tenant);
    await auth.authenticate(a);
    expect(table.lookups(a)).toBe(2);
  });
});
