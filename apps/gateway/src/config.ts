import { env, secretKeyRingConfig, type Reader } from '@hookstream/service-kit';
import { TrustedProxies } from './http/client-address.js';

/** Number of seconds or fractions, strictly positive (rates). */
function positiveNumber(def: number, max: number): Reader<number> {
  return {
    parse(raw) {
      if (raw === undefined) return def;
      const n = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(n > 0) || n > max) throw `must be a number greater than 0 and at most ${max}`;
      return n;
    },
  };
}

/**
 * HOOKSTREAM_PORTAL_KEY: the HS256 key of portal and console session tokens and cookies, base64
 * of at least 32 bytes. Optional: unset, the session routes answer 503 and no session cookie is
 * accepted (like the admin routes without HOOKSTREAM_ADMIN_TOKEN). Never echoed.
 */
export const portalKeyConfig: Reader<Uint8Array | undefined> = {
  secret: true,
  parse(raw) {
    if (raw === undefined) return undefined;
    const text = raw.trim();
    const rule = 'must be base64 of at least 32 random bytes (openssl rand -base64 32)';
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw rule;
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length < 32) throw rule;
    return new Uint8Array(key);
  },
};

/** TRUSTED_PROXIES: see TrustedProxies; unset or empty, no proxy is trusted. */
export const trustedProxiesConfig: Reader<TrustedProxies | undefined> = {
  parse(raw) {
    if (raw === undefined || raw.trim() === '') return undefined;
    return TrustedProxies.parse(raw);
  },
};

/** The gateway's own settings, on top of the kit's base settings. */
export const gatewayConfigSpec = {
  PORT: env.port(8080),
  HOST: env.string({ default: '0.0.0.0' }),
  /** Connections the API port holds at once; the next one is closed on arrival (file descriptors and memory stay bounded). */
  HTTP_MAX_CONNECTIONS: env.int({ default: 10_000, min: 1, max: 1_000_000 }),
  /** Load balancers / ingresses whose X-Forwarded-For names the client (the failed-authentication throttle counts per client). */
  TRUSTED_PROXIES: trustedProxiesConfig,
  /** Guards POST /v1/tenants; without it tenants cannot be created through the API (503). */
  HOOKSTREAM_ADMIN_TOKEN: env.optionalString({ secret: true, pattern: /^\S{16,512}$/, rule: '16-512 characters without spaces' }),
  /** Signs portal and console session tokens and cookies (HS256); unset: sessions are off (503). */
  HOOKSTREAM_PORTAL_KEY: portalKeyConfig,
  /** AES-256-GCM keys for webhook and tenant secrets at rest (or the single HOOKSTREAM_SECRET_KEY): the first seals, all open. */
  HOOKSTREAM_SECRET_KEYS: secretKeyRingConfig,
  /** Allows http:// endpoints and loopback / private / link-local addresses (development and tests only). */
  HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: env.bool(false),
  /** Maximum serialized size of one event (structured body, or `data` in binary mode). */
  EVENT_MAX_BYTES: env.int({ default: 262_144, min: 1024, max: 16 * 1024 * 1024 }),
  /** Maximum number of events in one batch request. */
  BATCH_MAX_EVENTS: env.int({ default: 500, min: 1, max: 10_000 }),
  /** Maximum body size of one batch request. */
  BATCH_MAX_BYTES: env.int({ default: 8 * 1024 * 1024, min: 1024, max: 256 * 1024 * 1024 }),
  /** Maximum body size of a control-plane request (webhooks, secrets, tenants). */
  API_BODY_MAX_BYTES: env.int({ default: 65_536, min: 1024, max: 16 * 1024 * 1024 }),
  /** An event id seen again within this many seconds is answered 202 without being published again. */
  EVENT_DEDUP_WINDOW_S: env.int({ default: 86_400, min: 1, max: 90 * 86_400 }),
  /** Pruning interval of expired dedup rows. */
  EVENT_DEDUP_PRUNE_INTERVAL_S: env.int({ default: 60, min: 1, max: 86_400 }),
  /** Days the event index, deliveries and attempts are kept; 0 keeps them forever. */
  RETENTION_DAYS: env.int({ default: 30, min: 0, max: 3650 }),
  /** How often expired audit rows are pruned (one gateway at a time, by advisory lock). */
  RETENTION_INTERVAL_S: env.int({ default: 3600, min: 1, max: 7 * 86_400 }),
  /** Sustained API requests per second per tenant (token bucket), across all gateways unless the scope is 'instance'. */
  TENANT_RATE_LIMIT_PER_S: positiveNumber(1000, 1_000_000),
  /**
   * 'cluster': the gateways split each tenant's limit in proportion to the traffic each gets
   * (through PostgreSQL, every TENANT_RATE_SYNC_MS). 'instance': each gateway grants the whole
   * limit, so N gateways grant N times it.
   */
  TENANT_RATE_LIMIT_SCOPE: env.oneOf(['cluster', 'instance'] as const, 'cluster'),
  /** How often a gateway reports its tenants' request rates and takes its new part of their limits. */
  TENANT_RATE_SYNC_MS: env.int({ default: 1000, min: 100, max: 60_000 }),
  /** Bucket size: requests a tenant may send at once above the sustained rate; 0 = twice the rate. */
  TENANT_RATE_LIMIT_BURST: env.int({ default: 0, min: 0, max: 10_000_000 }),
  /** A request whose events the broker has not acknowledged within this time is answered 503. */
  PRODUCE_TIMEOUT_MS: env.int({ default: 10_000, min: 500, max: 120_000 }),
  /** Webhooks a tenant may have unless the operator set its own limit (PATCH /v1/tenants/{id}); bounds one event's fan-out. */
  TENANT_WEBHOOK_LIMIT: env.int({ default: 1000, min: 0, max: 1_000_000 }),
  /** How long a successful API key lookup is cached in memory. */
  API_KEY_CACHE_TTL_MS: env.int({ default: 30_000, min: 0, max: 3_600_000 }),
  /** Failed authentications (wrong API key or admin token) one client address may make per window before it is answered 429. */
  AUTH_FAILURE_LIMIT: env.int({ default: 20, min: 1, max: 1_000_000 }),
  /** The window of AUTH_FAILURE_LIMIT, in seconds. */
  AUTH_FAILURE_WINDOW_S: env.int({ default: 10, min: 1, max: 3600 }),
};
