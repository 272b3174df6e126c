import { sameToken } from '@hookstream/service-kit';
import { createTenant } from '@hookstream/store';
import { Router } from 'express';
import { apiKeyRecord, bearerToken, generateApiKey } from '../../auth/api-keys.js';
import { readJsonBody } from '../body.js';
import type { GatewayDeps } from '../context.js';
import { HttpError } from '../errors.js';

/** POST /v1/tenants, guarded by the admin token. The API key is returned once and stored only as a hash. */
export function tenantRoutes(deps: GatewayDeps): Router {
  const r = Router();
  r.post('/v1/tenants', async (req, res) => {
    const admin = deps.settings.adminToken;
    if (!admin) throw new HttpError(503, 'tenant creation is disabled: HOOKSTREAM_ADMIN_TOKEN is not set on this gateway');
    const token = bearerToken(req.headers.authorization);
    if (!token || !sameToken(token, admin))
      throw new HttpError(401, 'admin token required: Authorization: Bearer $HOOKSTREAM_ADMIN_TOKEN', undefined, { 'www-authenticate': 'Bearer' });
    const body = await readJsonBody(req, deps.settings.apiBodyMaxBytes);
    const name = (body as { name?: unknown } | null)?.name;
    const extra = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body).filter((k) => k !== 'name') : [];
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > 256 || extra.length) {
      throw new HttpError(400, 'invalid tenant', [
        ...(typeof name !== 'string' || name.trim().length === 0 || name.length > 256
          ? [{ path: '/name', message: 'must be a non-empty string of at most 256 characters', rule: 'type' }]
          : []),
        ...extra.map((k) => ({ path: `/${k}`, message: 'is not a tenant field (only name)', rule: 'additionalProperties' })),
      ]);
    }
    const key = generateApiKey();
    const row = await createTenant(deps.db, name.trim(), apiKeyRecord(key));
    deps.logger.info({ tenant: row.id }, 'tenant created');
    res
      .status(201)
      .set('cache-control', 'no-store')
      .json({ id: row.id, name: row.name, api_key: key, api_key_hint: row.api_key_hint, created_at: new Date(row.created_at).toISOString() });
  });
  return r;
}
