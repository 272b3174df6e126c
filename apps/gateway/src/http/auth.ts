import type { NextFunction, Request, Response } from 'express';
import { bearerToken } from '../../auth/api-keys.js';
import { setTenant, type GatewayDeps } from '../context.js';
import { HttpError } from '../errors.js';

/** Every /v1 route but tenant creation: a valid API key, then the tenant's rate limit. */
export function requireTenant(deps: GatewayDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = bearerToken(req.headers.authorization);
    if (!key) throw new HttpError(401, 'missing API key: send Authorization: Bearer <api_key>', undefined, { 'www-authenticate': 'Bearer' });
    const tenant = await deps.auth.authenticate(key);
    if (!tenant) throw new HttpError(401, 'invalid API key', undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });
    const allowed = deps.rateLimiter.take(tenant.id);
    if (!allowed.ok) {
      throw new HttpError(
        429,
        `rate limit of ${deps.rateLimiter.ratePerS} requests per second exceeded for this tenant; retry after ${allowed.retryAfterS} s`,
        undefined,
        {
          'retry-after': String(allowed.retryAfterS),
        },
      );
    }
    setTenant(req, tenant);
    next();
  };
}
