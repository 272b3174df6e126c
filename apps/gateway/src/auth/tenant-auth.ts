import { hashToken, type Knex } from '@hookstream/service-kit';
import { findTenantByKeyHash, type TenantIdentity } from '@hookstream/store';
import { API_KEY_PATTERN } from './api-keys.js';

export type Tenant = TenantIdentity;

interface Entry {
  tenant: Tenant | undefined;
  expires: number;
}

/**
 * Resolves API keys to tenants by hash. Positive answers are cached for `ttlMs` so the
 * ingest hot path does not query PostgreSQL per request; negative answers for a shorter
 * time so a client hammering with a wrong key does not either.
 */
export class TenantAuthenticator {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly db: Knex,
    private readonly ttlMs: number,
    private readonly negativeTtlMs = Math.min(ttlMs, 2000),
    private readonly maxEntries = 10_000,
  ) {}

  async authenticate(key: string | undefined): Promise<Tenant | undefined> {
    if (!key || !API_KEY_PATTERN.test(key)) return undefined;
    const hash = hashToken(key);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.expires > now) return hit.tenant;
    const row = await findTenantByKeyHash(this.db, hash);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    const ttl = row ? this.ttlMs : this.negativeTtlMs;
    if (ttl > 0) this.cache.set(hash, { tenant: row, expires: now + ttl });
    return row;
  }
}
