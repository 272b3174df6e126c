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

/** Sets a tenant's own webhook limit (null: the gateway's default); undefined when there is no such tenant. */
export async function setTenantWebhookLimit(
  db: Knex,
  tenantId: string,
  limit: number | null,
): Promise<{ id: string; name: string; webhook_limit: number | null } | undefined> {
  const [row] = (await db('tenants').where({ id: tenantId }).update({ webhook_limit: limit }).returning(['id', 'name', 'webhook_limit'])) as Array<{
    id: string;
    name: string;
    webhook_limit: number | null;
  }>;
  return row;
}

/**
 * Locks the tenant's row until the transaction ends and returns its own webhook limit (null:
 * the default). Creates of one tenant's webhooks take this lock first, so two of them cannot
 * both count the last free slot. FOR NO KEY UPDATE: it does not wait for (nor block) the
 * foreign-key checks of the tenant's other inserts.
 */
export async function lockTenantWebhookLimit(trx: Knex.Transaction, tenantId: string): Promise<{ webhook_limit: number | null } | undefined> {
  return (await trx('tenants').where({ id: tenantId }).forNoKeyUpdate().first('webhook_limit')) as { webhook_limit: number | null } | undefined;
}
