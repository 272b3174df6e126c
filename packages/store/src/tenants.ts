import type { Knex } from '@hookstream/service-kit';

/** A tenant as the API sees it once its key is verified. */
export interface TenantIdentity {
  id: string;
  name: string;
}

export interface CreatedTenant extends TenantIdentity {
  api_key_hint: string;
  created_at: Date;
}

/** The API key is stored only as a hash (for lookup) and a hint that lets a person tell keys apart. */
export interface StoredApiKey {
  api_key_hash: string;
  api_key_hint: string;
}

export async function createTenant(db: Knex, name: string, key: StoredApiKey): Promise<CreatedTenant> {
  const [row] = (await db('tenants')
    .insert({ name, api_key_hash: key.api_key_hash, api_key_hint: key.api_key_hint })
    .returning(['id', 'name', 'api_key_hint', 'created_at'])) as CreatedTenant[];
  return row!;
}

export async function findTenantByKeyHash(db: Knex, apiKeyHash: string): Promise<TenantIdentity | undefined> {
  return (await db('tenants').where({ api_key_hash: apiKeyHash }).first('id', 'name')) as TenantIdentity | undefined;
}
