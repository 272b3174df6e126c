import { API_KEY_SCOPES, type ApiKeyScope } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import { createApiKey, findTenant, listApiKeys, revokeApiKey, type ApiKeyInfo } from '@hookstream/store';
import { apiKeyRecord, generateApiKey } from '../auth/api-keys.js';
import { Conflict, NotFound } from '../domain/errors.js';
import { isUuid } from '../webhooks/webhook-service.js';

/** A key as the API shows it: the hint to tell keys apart, never the hash. */
export function presentKey(k: ApiKeyInfo): Record<string, unknown> {
  return {
    id: k.id,
    hint: k.hint,
    created_at: new Date(k.created_at).toISOString(),
    last_used_at: k.last_used_at ? new Date(k.last_used_at).toISOString() : null,
    scopes: k.scopes,
  };
}

/** The scopes a new key gets: those asked for in their canonical order, or all of them. */
export function newKeyScopes(requested: readonly ApiKeyScope[] | undefined): ApiKeyScope[] {
  return API_KEY_SCOPES.filter((s) => !requested || requested.includes(s));
}

/** Who revokes: a tenant keeps its last key (it would lock itself out); the operator may revoke it. */
export type Revoker = 'tenant' | 'admin';

/** The life cycle of API keys, for a tenant's own routes and the operator's. */
export class KeyService {
  constructor(private readonly db: Knex) {}

  /** The tenant, when it exists; a disabled one gets no new key. */
  async requireTenant(tenantId: string, forNewKey = false): Promise<void> {
    const tenant = isUuid(tenantId) ? await findTenant(this.db, tenantId) : undefined;
    if (!tenant) throw new NotFound('tenant');
    if (forNewKey && tenant.disabled_at) throw new Conflict('the tenant is disabled: it gets no new API key');
  }

  async list(tenantId: string): Promise<Record<string, unknown>[]> {
    return (await listApiKeys(this.db, tenantId)).map(presentKey);
  }

  /** A new key: the only moment it is shown. */
  async create(tenantId: string, scopes: readonly ApiKeyScope[]): Promise<Record<string, unknown>> {
    const key = generateApiKey();
    const row = await createApiKey(this.db, tenantId, apiKeyRecord(key), scopes);
    const shown = presentKey(row);
    return { id: shown.id, api_key: key, hint: shown.hint, created_at: shown.created_at, last_used_at: null, scopes: shown.scopes };
  }

  async revoke(tenantId: string, keyId: string, by: Revoker): Promise<void> {
    if (!isUuid(keyId)) throw new NotFound('API key');
    const result = await revokeApiKey(this.db, tenantId, keyId, { keepOne: by === 'tenant' });
    if (result === 'not_found') throw new NotFound('API key');
    if (result === 'last_key') throw new Conflict('this is the last API key of the tenant: create another one first (POST /v1/api-keys), then revoke this one');
  }
}
