import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Logger } from '@hookstream/service-kit';
import type { WebhookRecord } from '@hookstream/store';
import type { ControlPlaneClient } from '../http/control-plane-client.js';
import type { Timeouts } from '../http/outcome.js';
import type { WorkerMetrics } from '../metrics.js';
import { AuthError } from './errors.js';
import type { SecretResolver } from './secrets.js';

/** Lifetime of our client assertion (the seed: 600 s). */
export const ASSERTION_TTL_S = 600;
/** An access token is replaced this long before it expires (the seed: one minute). */
export const REFRESH_BEFORE_EXPIRY_MS = 60_000;
/** The seed asks partners for tokens living longer than this. */
export const MIN_PARTNER_TOKEN_TTL_S = 300;
/**
 * Token answers are read whole up to this size: access tokens of 1-2 KB are common (Azure AD) and
 * some carry many claims; a larger answer is refused rather than read without a bound.
 */
export const TOKEN_ANSWER_MAX_BYTES = 64 * 1024;

interface JwtConfig {
  client_id: string;
  client_secret?: string;
  secret_name?: string;
  client_assertion_type: string;
  audience: string;
  token_uri: string;
  grant_type: string;
  extra_grants?: Record<string, string>;
}

/** RFC 7523 client assertion: HS256 with the client secret, iss = sub = client_id. */
export async function clientAssertion(clientId: string, audience: string, clientSecret: string, nowS = Math.floor(Date.now() / 1000)): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + ASSERTION_TTL_S)
    .sign(new TextEncoder().encode(clientSecret));
}

/** `expires_in` in seconds, as a number or a numeric string (the seed types it as a string). */
export function parseExpiresIn(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

interface CachedToken {
  revision: number;
  token: string;
  refreshAt: number;
}

/**
 * Access tokens of `client_secret_jwt` webhooks: one per webhook, reused until one minute
 * before it expires, fetched once at a time however many calls wait for it.
 */
export class AccessTokens {
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly sender: ControlPlaneClient,
    private readonly secrets: SecretResolver,
    private readonly logger: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly timeouts: Timeouts,
  ) {}

  async token(webhook: WebhookRecord): Promise<string> {
    const hit = this.cache.get(webhook.id);
    if (hit && hit.revision === webhook.revision && Date.now() < hit.refreshAt) return hit.token;
    let p = this.pending.get(webhook.id);
    if (!p) {
      p = this.fetch(webhook).finally(() => this.pending.delete(webhook.id));
      this.pending.set(webhook.id, p);
    }
    return p;
  }

  /** Drops a token the endpoint rejected, so the next call authenticates again. */
  invalidate(webhookId: string, token: string): void {
    if (this.cache.get(webhookId)?.token === token) this.cache.delete(webhookId);
  }

  private async fetch(webhook: WebhookRecord): Promise<string> {
    const config = webhook.spec.auth_config as JwtConfig;
    const secret = config.secret_name
      ? await this.secrets.tenantSecret(webhook.tenantId, config.secret_name)
      : (this.secrets.webhookSecrets(webhook).client_secret ?? config.client_secret);
    if (!secret) throw new AuthError('auth_secret_missing', 'the webhook has no client_secret');
    const startedAt = Date.now();
    const form = new URLSearchParams({
      ...(config.extra_grants ?? {}),
      grant_type: config.grant_type,
      // RFC 7521 lets the assertion alone name the client, but some servers refuse a request without it.
      client_id: config.client_id,
      client_assertion_type: config.client_assertion_type,
      client_assertion: await clientAssertion(config.client_id, config.audience, secret),
    });
    const res = await this.sender.post(config.token_uri, form, { accept: 'application/json' }, this.timeouts, TOKEN_ANSWER_MAX_BYTES);
    const fail = (message: string): never => {
      this.metrics.tokenRequests.inc({ outcome: 'failed' });
      throw new AuthError('token_endpoint', message);
    };
    if (res.refusal) {
      // The tenant reads the attempt's error; which address the name resolved to is for the operator only.
      this.logger.warn(
        { webhook_id: webhook.id, tenant_id: webhook.tenantId, host: res.refusal.host, address: res.refusal.address, address_class: res.refusal.addressClass },
        'token endpoint refused: it resolves to a non-public address',
      );
      fail('the token endpoint resolves to a non-public address; hookstream calls only public endpoints');
    }
    if (res.errorClass === 'answer_too_large') fail(`token endpoint answered ${res.statusCode} with more than ${TOKEN_ANSWER_MAX_BYTES / 1024} KiB`);
    if (res.statusCode === undefined) fail(`token endpoint unreachable: ${res.errorMessage ?? 'no response'}`);
    if (res.statusCode! < 200 || res.statusCode! >= 300) fail(`token endpoint answered ${res.statusCode}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body ?? '');
    } catch {
      fail(`token endpoint answered ${res.statusCode} with a body that is not JSON`);
    }
    const answer = (parsed ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer.access_token !== 'string' || answer.access_token.length === 0) fail('token endpoint answer has no access_token');
    const token = answer.access_token as string;
    const expiresIn = parseExpiresIn(answer.expires_in);
    const warnKey = `${webhook.id}:${webhook.revision}`;
    if ((expiresIn === undefined || expiresIn <= MIN_PARTNER_TOKEN_TTL_S) && !this.warned.has(warnKey)) {
      this.warned.add(warnKey);
      this.logger.warn(
        { webhook_id: webhook.id, tenant_id: webhook.tenantId, expires_in: expiresIn ?? null },
        `partner configuration problem: the token endpoint's expires_in should be more than ${MIN_PARTNER_TOKEN_TTL_S} s; the token is used anyway`,
      );
    }
    this.metrics.tokenRequests.inc({ outcome: 'ok' });
    this.cache.set(webhook.id, {
      revision: webhook.revision,
      token,
      refreshAt: expiresIn === undefined ? startedAt : startedAt + expiresIn * 1000 - REFRESH_BEFORE_EXPIRY_MS,
    });
    return token;
  }
}
