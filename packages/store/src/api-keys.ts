import type { Knex } from '@hookstream/service-kit';
import type { StoredApiKey, TenantIdentity } from './tenants.js';

/** A key as its owner sees it: never the hash. */
export interface ApiKeyInfo {
  id: string;
  hint: string;
  created_at: Date;
  last_used_at: Date | null;
  /** What the key may do (`publish`, `read`, `manage`); fixed at creation. */
  scopes: string[];
}

export interface KeyOwnerRow {
  keyId: string;
  tenant: TenantIdentity;
  scopes: string[];
}

const INFO = ['id', 'hint', 'created_at', 'last_used_at', 'scopes'] as const;

/** A new key; without `scopes`, the column's default (all of them). */
export async function createApiKey(db: Knex, tenantId: string, key: StoredApiKey, scopes?: readonly string[]): Promise<ApiKeyInfo> {
  const [row] = (await db('api_keys')
    .insert({ tenant_id: tenantId, key_hash: key.api_key_hash, hint: key.api_key_hint, ...(scopes ? { scopes: [...scopes] } : {}) })
    .returning([...INFO])) as ApiKeyInfo[];
  return row!;
}

/** The tenant's keys, oldest first. */
export async function listApiKeys(db: Knex, tenantId: string): Promise<ApiKeyInfo[]> {
  return (await db('api_keys')
    .where({ tenant_id: tenantId })
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .select(...INFO)) as ApiKeyInfo[];
}

/** The key of this hash and its tenant, when the tenant is not disabled. */
export async function findKeyOwner(db: Knex, keyHash: string): Promise<KeyOwnerRow | undefined> {
  const row = (await db('api_keys as k')
    .join('tenants as t', 't.id', 'k.tenant_id')
    .where({ 'k.key_hash': keyHash })
    .whereNull('t.disabled_at')
    .first('k.id as key_id', 'k.scopes', 't.id as tenant_id', 't.name as tenant_name')) as
    { key_id: string; scopes: string[]; tenant_id: string; tenant_name: string } | undefined;
  return row && { keyId: row.key_id, tenant: { id: row.tenant_id, name: row.tenant_name }, scopes: row.scopes };
}

export type RevokeResult = 'revoked' | 'not_found' | 'last_key';

/**
 * Deletes one of the tenant's keys. With `keepOne` the tenant's last key is kept ('last_key'):
 * the keys are locked first, so two revocations at once cannot remove the last two.
 */
export async function revokeApiKey(db: Knex, tenantId: string, keyId: string, opts: { keepOne: boolean }): Promise<RevokeResult> {
  return db.transaction(async (trx) => {
    const ids = ((await trx('api_keys').where({ tenant_id: tenantId }).forUpdate().select('id')) as { id: string }[]).map((r) => r.id);
    if (!ids.includes(keyId)) return 'not_found';
    if (opts.keepOne && ids.length === 1) return 'last_key';
    await trx('api_keys').where({ id: keyId, tenant_id: tenantId }).delete();
    return 'revoked';
  });
}

/** Writes the last use of many keys in one statement (the gateway batches them). */
export async function recordKeysUsed(db: Knex, uses: ReadonlyMap<string, Date>): Promise<void> {
  if (uses.size === 0) return;
  const ids = [...uses.keys()];
  const times = ids.map((id) => uses.get(id)!.toISOString());
  await db.raw(
    `UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.at)
     FROM unnest(?::uuid[], ?::timestamptz[]) AS u(id, at) WHERE k.id = u.id`,
    [ids, times],
  );
}
