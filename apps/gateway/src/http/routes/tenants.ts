import { TenantRequestSchema, type TenantRequest } from '@hookstream/schemas';
import { createTenant } from '@hookstream/store';
import { apiKeyRecord, generateApiKey } from '../../auth/api-keys.js';
import { errorResponse, jsonResponse, ref } from '../../openapi/shapes.js';
import type { Route } from './route.js';

/** POST /v1/tenants, guarded by the admin token. The API key is returned once and stored only as a hash. */
export const tenantRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/tenants',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'createTenant',
    summary: 'Create a tenant (admin token); the API key is returned once',
    body: {
      schema: TenantRequestSchema,
      content: { 'application/json': ref('TenantRequest') },
      invalidMessage: 'invalid tenant',
      example: { name: 'Daily Herald' },
    },
    responses: {
      '201': jsonResponse(
        {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            api_key: { type: 'string' },
            api_key_hint: { type: 'string' },
            created_at: { type: 'string', format: 'date-time' },
          },
        },
        'Created',
      ),
      '400': errorResponse('Invalid body'),
      '415': errorResponse('Not JSON'),
    },
    async handler(_req, res, { deps, body }) {
      const { name } = (await body()) as TenantRequest;
      const key = generateApiKey();
      const row = await createTenant(deps.db, name.trim(), apiKeyRecord(key));
      deps.logger.info({ tenant: row.id }, 'tenant created');
      res
        .status(201)
        .set('cache-control', 'no-store')
        .json({ id: row.id, name: row.name, api_key: key, api_key_hint: row.api_key_hint, created_at: new Date(row.created_at).toISOString() });
    },
  },
];
