import { sameToken } from '@hookstream/service-kit';
import type { Request } from 'express';
import { bearerToken } from '../auth/api-keys.js';
import type { Tenant } from '../auth/tenant-auth.js';
import { RateLimited, Unauthenticated, Unavailable } from '../domain/errors.js';
import type { GatewayDeps } from './context.js';

/** A route with `auth: 'tenant'`: a valid API key, then the tenant's rate limit. */
export async function authenticateTenant(req: Request, deps: Pick<GatewayDeps, 'auth' | 'rateLimiter'>): Promise<Tenant> {
  const key = bearerToken(req.headers.authorization);
  if (!key) throw new Unauthenticated('missing API key: send Authorization: Bearer <api_key>', 'Bearer');
  const tenant = await deps.auth.authenticate(key);
  if (!tenant) throw new Unauthenticated('invalid API key', 'Bearer error="invalid_token"');
  const allowed = deps.rateLimiter.take(tenant.id);
  if (!allowed.ok) {
    throw new RateLimited(
      `rate limit of ${deps.rateLimiter.ratePerS} requests per second exceeded for this tenant; retry after ${allowed.retryAfterS} s`,
      allowed.retryAfterS,
    );
  }
  return tenant;
}

/** A route with `auth: 'admin'`: the operator's HOOKSTREAM_ADMIN_TOKEN, when this gateway has one. */
export function authenticateAdmin(req: Request, adminToken: string | undefined): void {
  if (!adminToken) throw new Unavailable('tenant creation is disabled: HOOKSTREAM_ADMIN_TOKEN is not set on this gateway');
  const token = bearerToken(req.headers.authorization);
  if (!token || !sameToken(token, adminToken)) throw new Unauthenticated('admin token required: Authorization: Bearer $HOOKSTREAM_ADMIN_TOKEN', 'Bearer');
}
