import { listTenantSecrets, putTenantSecret } from '@hookstream/store';
import { Router } from 'express';
import { readJsonBody } from '../body.js';
import { param, tenantOf, type GatewayDeps } from '../context.js';
import { HttpError } from '../errors.js';

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$/;

/**
 * The tenant's secret store: write-only values (encrypted at rest), names and times listed.
 * Names may contain slashes (`partners/daily-herald/token`), as path segments or %2F.
 */
export function secretRoutes(deps: GatewayDeps): Router {
  const r = Router();
  r.put('/v1/secrets/*name', async (req, res) => {
    const tenant = tenantOf(req);
    const name = param(req, 'name');
    if (!SECRET_NAME_PATTERN.test(name)) {
      throw new HttpError(400, 'invalid secret name', [
        { path: '/name', message: 'must be 1-256 characters: letters, digits, ".", "_", "/" or "-", starting with a letter or digit', rule: 'pattern' },
      ]);
    }
    const body = await readJsonBody(req, deps.settings.apiBodyMaxBytes);
    const value = (body as { value?: unknown } | null)?.value;
    const extra = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body).filter((k) => k !== 'value') : [];
    if (typeof value !== 'string' || value.length === 0 || value.length > 4096 || extra.length) {
      throw new HttpError(400, 'invalid secret', [
        ...(typeof value !== 'string' || value.length === 0 || value.length > 4096
          ? [{ path: '/value', message: 'must be a string of 1 to 4096 characters', rule: 'type' }]
          : []),
        ...extra.map((k) => ({ path: `/${k}`, message: 'is not a secret field (only value)', rule: 'additionalProperties' })),
      ]);
    }
    const { created, updated_at } = await putTenantSecret(deps.db, deps.box, tenant.id, name, value);
    res.status(created ? 201 : 200).json({ name, updated_at: new Date(updated_at).toISOString() });
  });

  r.get('/v1/secrets', async (req, res) => {
    const rows = await listTenantSecrets(deps.db, tenantOf(req).id);
    res.json({ list: rows.map((s) => ({ name: s.name, created_at: new Date(s.created_at).toISOString(), updated_at: new Date(s.updated_at).toISOString() })) });
  });
  return r;
}
