import { sameToken } from '@hookstream/service-kit';
import type { Request } from 'express';
import { bearerToken } from '../auth/api-keys.js';
import type { KeyOwner } from '../auth/tenant-auth.js';
import { Forbidden, RateLimited, Unauthenticated, Unavailable } from '../domain/errors.js';
import type { GatewayDeps } from './context.js';

/**
 * The client's address as Express sees it: the socket's peer, or what the `trust proxy` setting
 * admits from X-Forwarded-For when one is configured.
 */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Refuses an address that failed to authenticate too often, before its credentials are looked at. */
function refuseIfThrottled(req: Request, deps: Pick<GatewayDeps, 'authThrottle'>): string {
  const address = clientAddress(req);
  const verdict = deps.authThrottle.check(address);
  if (!verdict.ok) {
    throw new RateLimited(`too many failed authentications from this address; retry after ${verdict.retryAfterS} s`, verdict.retryAfterS);
  }
  return address;
}

/** A route with `auth: 'tenant'`: a valid API key, then the tenant's rate limit. */
export async function authenticateTenant(req: Request, deps: Pick<GatewayDeps, 'auth' | 'rateLimiter' | 'authThrottle'>): Promise<KeyOwner> {
  const key = bearerToken(req.headers.authorization);
  // No credentials is not a guess: it is not counted.
  if (!key) throw new Unauthenticated('missing API key: send Authorization: Bearer <api_key>', 'Bearer');
  const address = refuseIfThrottled(req, deps);
  const owner = await deps.auth.authenticate(key);
  if (!owner) {
    deps.authThrottle.failed(address);
    throw new Unauthenticated('invalid API key', 'Bearer error="invalid_token"');
  }
  const allowed = deps.rateLimiter.take(owner.tenant.id);
  if (!allowed.ok) {
    throw new RateLimited(
      `rate limit of ${deps.rateLimiter.ratePerS} requests per second exceeded for this tenant; retry after ${allowed.retryAfterS} s`,
      allowed.retryAfterS,
    );
  }
  return owner;
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

/** A route with `auth: 'admin'`: the operator's HOOKSTREAM_ADMIN_TOKEN, when this gateway has one. */
export function authenticateAdmin(req: Request, deps: Pick<GatewayDeps, 'settings' | 'authThrottle'>): void {
  const adminToken = deps.settings.adminToken;
  if (!adminToken) throw new Unavailable('tenant administration is disabled: HOOKSTREAM_ADMIN_TOKEN is not set on this gateway');
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new Unauthenticated('admin token required: Authorization: Bearer $HOOKSTREAM_ADMIN_TOKEN', 'Bearer');
  const address = refuseIfThrottled(req, deps);
  if (!sameToken(token, adminToken)) {
    deps.authThrottle.failed(address);
    throw new Unauthenticated('admin token required: Authorization: Bearer $HOOKSTREAM_ADMIN_TOKEN', 'Bearer');
  }
}
