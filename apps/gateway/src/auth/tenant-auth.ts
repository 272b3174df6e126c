import { hashToken } from '@hookstream/service-kit';
import type { TenantIdentity } from '@hookstream/store';
import { API_KEY_PATTERN } from './api-keys.js';
import { LruMap } from './lru.js';

export type Tenant = TenantIdentity;

/** Who holds a key: the key's id (for revocation and last use), its tenant and what it may do. */
export interface KeyOwner {
  keyId: string;
  tenant: Tenant;
  /** The key's scopes (`publish`, `read`, `manage`): cached with it, fixed at its creation. */
  scopes: readonly string[];
}

export interface TenantAuthOptions {
  /** The key of this hash and its (enabled) tenant, from the database. */
  lookup: (keyHash: string) => Promise<KeyOwner | undefined>;
  ttlMs: number;
  /** How long an unknown key is remembered as unknown (default: min(ttlMs, 2 s)). */
  negativeTtlMs?: number;
  maxEntries?: number;
  maxNegativeEntries?: number;
  /** The tenant of this id, unless it is disabled (session cookies name their tenant, not a key). */
  lookupTenant?: (tenantId: string) => Promise<Tenant | undefined>;
  /** Told of every accepted use of a key (last-use bookkeeping). */
  onUse?: (keyId: string) => void;
  now?: () => number;
}

/**
 * Resolves API keys to tenants by hash. Known keys are cached for `ttlMs` so the ingest hot path
 * does not query PostgreSQL per request; unknown keys, for a shorter time, in a cache of their own:
 * a client trying many wrong keys then evicts only other wrong keys, never a tenant's valid one.
 * Both caches are bounded and evict the least recently used entry. A revoked key or a disabled
 * tenant is dropped at once through `forgetKey` / `forgetTenant` (the API key change feed), so the
 * TTL is only the backstop for a feed that was disconnected.
 */
export class TenantAuthenticator {
  private readonly known: LruMap<string, { owner: KeyOwner; expires: number }>;
  private readonly unknown: LruMap<string, number>;
  /** Enabled tenants by id (session cookies), with the same TTL and the same forgetting as keys. */
  private readonly tenants: LruMap<string, { tenant: Tenant; expires: number }>;
  private readonly negativeTtlMs: number;
  private readonly now: () => number;
  /**
   * Counts forgets. A lookup that started before a revocation was announced may return after it:
   * its answer is used for that request but not cached.
   */
  private epoch = 0;

  constructor(private readonly opts: TenantAuthOptions) {
    this.known = new LruMap(opts.maxEntries ?? 10_000);
    this.unknown = new LruMap(opts.maxNegativeEntries ?? 10_000);
    this.tenants = new LruMap(opts.maxEntries ?? 10_000);
    this.negativeTtlMs = opts.negativeTtlMs ?? Math.min(opts.ttlMs, 2000);
    this.now = opts.now ?? Date.now;
  }

  async authenticate(key: string | undefined): Promise<KeyOwner | undefined> {
    if (!key || !API_KEY_PATTERN.test(key)) return undefined;
    const hash = hashToken(key);
    const now = this.now();
    const hit = this.known.get(hash);
    if (hit && hit.expires > now) return this.used(hit.owner);
    const miss = this.unknown.get(hash);
    if (miss !== undefined && miss > now) return undefined;
    const epoch = this.epoch;
    const owner = await this.opts.lookup(hash);
    if (owner) {
      this.unknown.delete(hash);
      if (this.opts.ttlMs > 0 && epoch === this.epoch) this.known.set(hash, { owner, expires: now + this.opts.ttlMs });
      return this.used(owner);
    }
    this.known.delete(hash);
    // Not remembered either when a tenant changed meanwhile: it may have been enabled again.
    if (this.negativeTtlMs > 0 && epoch === this.epoch) this.unknown.set(hash, now + this.negativeTtlMs);
    return undefined;
  }

  /**
   * The tenant of a session cookie, unless it is disabled: cached like keys, so a disabled
   * tenant's sessions stop as soon as the change feed says so (an unknown id is not cached).
   */
  async tenant(tenantId: string): Promise<Tenant | undefined> {
    const now = this.now();
    const hit = this.tenants.get(tenantId);
    if (hit && hit.expires > now) return hit.tenant;
    if (!this.opts.lookupTenant) return undefined;
    const epoch = this.epoch;
    const tenant = await this.opts.lookupTenant(tenantId);
    if (!tenant) {
      this.tenants.delete(tenantId);
      return undefined;
    }
    if (this.opts.ttlMs > 0 && epoch === this.epoch) this.tenants.set(tenantId, { tenant, expires: now + this.opts.ttlMs });
    return tenant;
  }

  /** A key was revoked. */
  forgetKey(keyId: string): void {
    this.epoch++;
    for (const [hash, e] of this.known.entries()) if (e.owner.keyId === keyId) this.known.delete(hash);
  }

  /**
   * A tenant was disabled or enabled again (or its keys changed in a way the feed does not
   * detail). Its keys that were refused while it was disabled are remembered as unknown under
   * hashes that do not name it, so the unknown keys are all forgotten: tenants change rarely,
   * and a wrong key costs one lookup again.
   */
  forgetTenant(tenantId: string): void {
    this.epoch++;
    for (const [hash, e] of this.known.entries()) if (e.owner.tenant.id === tenantId) this.known.delete(hash);
    this.tenants.delete(tenantId);
    this.unknown.clear();
  }

  /** The change feed reconnected: what changed meanwhile is unknown. */
  forgetAll(): void {
    this.epoch++;
    this.known.clear();
    this.tenants.clear();
    this.unknown.clear();
  }

  private used(owner: KeyOwner): KeyOwner {
    this.opts.onUse?.(owner.keyId);
    return owner;
  }
}
