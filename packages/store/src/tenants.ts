import type { Knex } from '@hookstream/service-kit';
import { findKeyOwner } from './api-keys.js';

/** A tenant as the API sees it once its key is verified. */
export interface TenantIdentity {
  id: string;
  name: string;
}

export interface CreatedTenant extends TenantIdentity {
  api_key_hint: string;
  created_at: Date;
}

/** A tenant as the operator lists it. */
export interface TenantRow extends TenantIdentity {
  created_at: Date;
  disabled_at: Date | null;
}

/** The API key is stored only as a hash (for lookup) and a hint that lets a person tell keys apart. */
export interface StoredApiKey {
  api_key_hash: string;
  api_key_hint: string;
}

/** A tenant and its first key, in one transaction. */
export async function createTenant(db: Knex, name: string, key: StoredApiKey): Promise<CreatedTenant> {
  return db.transaction(async (trx) => {
    const [row] = (await trx('tenants').insert({ name }).returning(['id', 'name', 'created_at'])) as (TenantIdentity & { created_at: Date })[];
    await trx('api_keys').insert({ tenant_id: row!.id, key_hash: key.api_key_hash, hint: key.api_key_hint, created_at: row!.created_at });
    return { ...row!, api_key_hint: key.api_key_hint };
  });
}

/** The tenant holding the key of this hash, unless the tenant is disabled. */
export async function findTenantByKeyHash(db: Knex, apiKeyHash: string): Promise<TenantIdentity | undefined> {
  return (await findKeyOwner(db, apiKeyHash))?.tenant;
}

export async function findTenant(db: Knex, id: string): Promise<TenantRow | undefined> {
  return (await db('tenants').where({ id }).first('id', 'name', 'created_at', 'disabled_at')) as TenantRow | undefined;
}

/** A tenant as the operator reads it alone: with its own webhook limit (null: the gateway's default). */
export interface TenantDetail extends TenantRow {
  webhook_limit: number | null;
}

export async function findTenantDetail(db: Knex, id: string): Promise<TenantDetail | undefined> {
  return (await db('tenants').where({ id }).first('id', 'name', 'created_at', 'disabled_at', 'webhook_limit')) as TenantDetail | undefined;
}

/** Oldest first, then by id, so pages are stable while tenants are added. */
export async function listTenants(db: Knex, page: { offset: number; limit: number }): Promise<TenantRow[]> {
  return (await db('tenants')
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .offset(page.offset)
    .limit(page.limit)
    .select('id', 'name', 'created_at', 'disabled_at')) as TenantRow[];
}

/**
 * Disables a tenant (false when there is none): its keys stop resolving and its webhooks read as
 * disabled. Its webhooks' revision is bumped in the same transaction, so the webhook change feed
 * tells every matcher and worker now; its data stays and ages out through retention.
 */
export async function disableTenant(db: Knex, id: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const updated = await trx('tenants')
      .where({ id })
      .update({ disabled_at: trx.raw('COALESCE(disabled_at, now())') });
    if (updated === 0) return false;
    await trx('webhooks')
      .where({ tenant_id: id })
      .update({ revision: trx.raw('revision + 1') });
    return true;
  });
}

/**
 * Enables a disabled tenant again (false when there is none), undoing {@link disableTenant} the
 * same way: its keys resolve again (the tenants trigger announces the change, so gateways drop
 * what they cached) and its webhooks read as enabled again, told to every matcher and worker by
 * bumping their revision in the same transaction. A webhook disabled on its own stays disabled.
 * Deliveries recorded as skipped while the tenant was disabled stay skipped: they were not lost
 * silently (each has its row), and the tenant may retry them one by one. An enabled tenant is left
 * as it is (no revision bump), so enabling twice changes nothing.
 */
export async function enableTenant(db: Knex, id: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    // Locked, so a concurrent disable is ordered before or after this, never between its two writes.
    const row = (await trx('tenants').where({ id }).forUpdate().first('disabled_at')) as { disabled_at: Date | null } | undefined;
    if (!row) return false;
    if (row.disabled_at === null) return true;
    await trx('tenants').where({ id }).update({ disabled_at: null });
    await trx('webhooks')
      .where({ tenant_id: id })
      .update({ revision: trx.raw('revision + 1') });
    return true;
  });
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
