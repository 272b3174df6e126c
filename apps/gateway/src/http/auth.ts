import { sameToken } from '@hookstream/service-kit';
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../auth/api-keys.js';
import type { KeyOwner } from '../auth/tenant-auth.js';
import { Forbidden, RateLimited, Unauthenticated, Unavailable } from '../domain/errors.js';
import type { Session } from '../sessions/session-tokens.js';
import type { GatewayDeps } from './context.js';
import { clientAddress } from './client-address.js';
import { sessionCookieOf } from './session-cookie.js';

/** Who called a tenant route: an API key, or a portal session acting for its tenant. */
export interface TenantCaller {
  owner: KeyOwner;
  /** Set when the caller is a portal session (cookie): its partner scope applies. */
  session?: Session;
}

type AuthDeps = Pick<GatewayDeps, 'auth' | 'rateLimiter' | 'authThrottle' | 'trustedProxies' | 'sessions' | 'settings'>;

/** Refuses an address that failed to authenticate too often, before its credentials are looked at. */
export function refuseIfThrottled(req: IncomingMessage, deps: Pick<GatewayDeps, 'authThrottle' | 'trustedProxies'>): string {
  const address = clientAddress(req, deps.trustedProxies);
  const verdict = deps.authThrottle.check(address);
  if (!verdict.ok) {
    throw new RateLimited(`too many failed authentications from this address; retry after ${verdict.retryAfterS} s`, verdict.retryAfterS);
  }
  return address;
}

/**
 * A route with `auth: 'tenant'`: a valid API key (Authorization, which wins when both are sent)
 * or a portal session cookie, then the tenant's rate limit. A portal session is the tenant's
 * principal with `read` (and `manage` unless read-only), never `publish`.
 */
export async function authenticateTenant(req: IncomingMessage, deps: AuthDeps): Promise<TenantCaller> {
  if (req.headers.authorization === undefined) {
    const cookie = sessionCookieOf(req);
    if (cookie !== undefined && deps.sessions) return authenticatePortalSession(req, cookie, deps);
  }
  const key = bearerToken(req.headers.authorization);
  // No credentials is not a guess: it is not counted.
  if (!key) throw new Unauthenticated('missing API key: send Authorization: Bearer <api_key>', 'Bearer');
  const address = refuseIfThrottled(req, deps);
  const owner = await deps.auth.authenticate(key);
  if (!owner) {
    deps.authThrottle.failed(address);
    throw new Unauthenticated('invalid API key', 'Bearer error="invalid_token"');
  }
  takeRateToken(owner.tenant.id, deps);
  return { owner };
}

async function authenticatePortalSession(req: IncomingMessage, cookie: string, deps: AuthDeps): Promise<TenantCaller> {
  const session = await verifiedSession(req, cookie, deps);
  if (session.kind !== 'portal') {
    throw new Forbidden('a console session acts for the operator, not for a tenant: this route needs an API key or a portal session', '').coded(
      'not_available_in_console',
    );
  }
  checkCsrf(req, session, deps);
  // A disabled tenant's sessions stop with its keys (the cache is dropped by the API key change feed).
  const tenant = await deps.auth.tenant(session.tenantId!);
  if (!tenant) throw new Unauthenticated('the session has ended: its tenant is disabled', 'Cookie').coded('session_invalid');
  takeRateToken(tenant.id, deps);
  const scopes = session.readOnly ? ['read'] : ['read', 'manage'];
  return { owner: { keyId: `session:${session.id}`, tenant, scopes }, session };
}

/** A session cookie's session; a bad cookie counts as a failed authentication of the address. */
async function verifiedSession(req: IncomingMessage, cookie: string, deps: AuthDeps): Promise<Session> {
  const address = refuseIfThrottled(req, deps);
  try {
    return await deps.sessions!.authenticate(cookie);
  } catch (e) {
    deps.authThrottle.failed(address);
    throw e;
  }
}

/**
 * Cross-site request forgery: a cookie travels with any request the browser makes, so a change
 * must also carry the session's CSRF token (which only the UI, having exchanged the session, holds),
 * and no request may come from a page of another origin.
 */
function checkCsrf(req: IncomingMessage, session: Session, deps: AuthDeps): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== new URL(deps.settings.publicUrl).origin) {
    throw new Forbidden(`requests with a session cookie must come from ${new URL(deps.settings.publicUrl).origin}`, '').coded('origin_not_allowed');
  }
  if (req.method === 'GET' || req.method === 'HEAD') return;
  const sent = req.headers['x-csrf-token'];
  if (!deps.sessions!.csrfMatches(session, typeof sent === 'string' ? sent : undefined)) {
    throw new Forbidden('missing or wrong x-csrf-token header: send the csrf_token of the session with every change', '').coded('csrf_token_invalid');
  }
}

/** A tenant's request spends a token of its rate limit, whatever authenticated it. */
function takeRateToken(tenantId: string, deps: Pick<GatewayDeps, 'rateLimiter'>): void {
  const allowed = deps.rateLimiter.take(tenantId);
  if (!allowed.ok) {
    throw new RateLimited(
      `rate limit of ${deps.rateLimiter.ratePerS} requests per second exceeded for this tenant; retry after ${allowed.retryAfterS} s`,
      allowed.retryAfterS,
    );
  }
}

/**
 * A key without the scope a route needs gets a 403 naming it (#17.1), after the rate limit and
 * before anything of the request is looked at.
 */
export function requireScope(owner: KeyOwner, scope: string, operation: string): void {
  if (!owner.scopes.includes(scope)) {
    throw new Forbidden(`this API key lacks the "${scope}" scope that ${operation} requires (it holds: ${owner.scopes.join(', ')})`, scope);
  }
}

/**
 * A route with `auth: 'admin'`: the operator's HOOKSTREAM_ADMIN_TOKEN, when this gateway has one,
 * or a console session cookie (answered: the session). A portal session is refused with a 403.
 */
export async function authenticateAdmin(req: IncomingMessage, deps: AuthDeps): Promise<Session | undefined> {
  const adminToken = deps.settings.adminToken;
  if (!adminToken) throw new Unavailable('tenant administration is disabled: HOOKSTREAM_ADMIN_TOKEN is not set on this gateway');
  if (req.headers.authorization === undefined) {
    const cookie = sessionCookieOf(req);
    if (cookie !== undefined && deps.sessions) {
      const session = await verifiedSession(req, cookie, deps);
      if (session.kind !== 'console')
        throw new Forbidden('this route is for the operator; a portal session cannot use it', '').coded('not_available_in_portal');
      checkCsrf(req, session, deps);
      return session;
    }
  }
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new Unauthenticated('admin token required: Authorization: Bearer $HOOKSTREAM_ADMIN_TOKEN', 'Bearer');
  const address = refuseIfThrottled(req, deps);
  if (!sameToken(token, adminToken)) {
    deps.authThrottle.failed(address);
    throw new Unauthenticated('admin token required: Authorization: Bearer $HOOKSTREAM_ADMIN_TOKEN', 'Bearer');
  }
  return undefined;
}
