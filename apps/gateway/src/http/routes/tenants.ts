import { TenantRequestSchema, TenantUpdateRequestSchema, type TenantRequest, type TenantUpdateRequest } from '@hookstream/schemas';
import { createTenant, setTenantWebhookLimit } from '@hookstream/store';
import { apiKeyRecord, generateApiKey } from '../../auth/api-keys.js';
import { NotFound } from '../../domain/errors.js';
import { isUuid } from '../../webhooks/webhook-service.js';
import { errorResponse, idParam, jsonResponse, notFoundResponse, ref } from '../../openapi/shapes.js';
import { param } from '../context.js';
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
  {
    method: 'patch',
    path: '/v1/tenants/{id}',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'updateTenant',
    summary: "Change a tenant's settings (admin token): its webhook limit",
    params: [idParam('id', 'Tenant id', '5b7a4c1e-0000-4000-8000-000000000001')],
    body: {
      schema: TenantUpdateRequestSchema,
      content: { 'application/json': ref('TenantUpdateRequest') },
      invalidMessage: 'invalid tenant settings',
      example: { webhook_limit: 5000 },
    },
    responses: {
      '200': jsonResponse(
        {
          type: 'object',
          properties: { id: { type: 'string' }, name: { type: 'string' }, webhook_limit: { type: 'integer', description: 'The limit in force' } },
        },
        'Updated',
      ),
      '400': errorResponse('Invalid body'),
      '415': errorResponse('Not JSON'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, body }) {
      const id = param(req, 'id');
      if (!isUuid(id)) throw new NotFound('tenant');
      const { webhook_limit } = (await body()) as TenantUpdateRequest;
      const row = await setTenantWebhookLimit(deps.db, id, webhook_limit);
      if (!row) throw new NotFound('tenant');
      deps.logger.info({ tenant: row.id, webhook_limit }, 'tenant webhook limit set');
      res.json({ id: row.id, name: row.name, webhook_limit: row.webhook_limit ?? deps.settings.defaultWebhookLimit });
    },
  },
];
