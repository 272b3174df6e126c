import { TenantRequestSchema, TenantUpdateRequestSchema, type TenantRequest, type TenantUpdateRequest } from '@hookstream/schemas';
import { createTenant, disableTenant, enableTenant, findTenantDetail, listTenants, setTenantWebhookLimit, type TenantDetail } from '@hookstream/store';
import { apiKeyRecord, generateApiKey } from '../../auth/api-keys.js';
import { NotFound, type ErrorDetail } from '../../domain/errors.js';
import { errorResponse, idParam, jsonResponse, notFoundResponse, pageParams, ref } from '../../openapi/shapes.js';
import { param } from '../context.js';
import { pagedList, parsePage, throwIfErrors } from '../pagination.js';
import { newKeyScopes } from '../../tenants/key-service.js';
import { EXAMPLE_KEY_ID, apiKeyListSchema, apiKeyRequestBody, createdKeySchema, requestedScopes } from './api-keys.js';
import type { Route } from './route.js';

const EXAMPLE_TENANT_ID = '7a4e1c2b-9d3f-4e8a-b6c5-1f2e3d4c5b6a';
const tenantId = idParam('id', 'Tenant id', EXAMPLE_TENANT_ID);

const tenantSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    disabled_at: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['id', 'name', 'created_at', 'disabled_at'],
};
const tenantListSchema = {
  type: 'object',
  properties: {
    startIndex: { type: 'integer' },
    itemsPerPage: { type: 'integer' },
    list: { type: 'array', items: tenantSchema },
    links: { type: 'object', properties: { next: { type: 'string' }, previous: { type: 'string' } } },
  },
};
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
// One tenant as the operator reads it alone: the list's members and the webhook limit in force.
const tenantDetailSchema = {
  type: 'object',
  properties: { ...tenantSchema.properties, webhook_limit: { type: 'integer', description: 'The limit in force (its own, or the default)' } },
  required: [...tenantSchema.required, 'webhook_limit'],
};

/** The operator's routes (admin token): tenants and their API keys. A key is returned once and stored only as a hash. */
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
    params: [tenantId],
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
      const { webhook_limit } = (await body()) as TenantUpdateRequest;
      const row = await setTenantWebhookLimit(deps.db, id, webhook_limit);
      if (!row) throw new NotFound('tenant');
      deps.logger.info({ tenant: row.id, webhook_limit }, 'tenant webhook limit set');
      res.json({ id: row.id, name: row.name, webhook_limit: row.webhook_limit ?? deps.settings.defaultWebhookLimit });
    },
  },
  {
    method: 'get',
    path: '/v1/tenants',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'listTenants',
    summary: 'List tenants, oldest first (admin token)',
    params: pageParams,
    responses: { '200': jsonResponse(tenantListSchema, 'A page'), '400': errorResponse('Malformed parameter') },
    async handler(req, res, { deps }) {
      const errors: ErrorDetail[] = [];
      const page = parsePage(req.query, errors);
      throwIfErrors(errors);
      const rows = await listTenants(deps.db, { offset: page.startIndex, limit: page.count + 1 });
      const items = rows.map((r) => ({ id: r.id, name: r.name, created_at: iso(r.created_at), disabled_at: iso(r.disabled_at) }));
      res.json(pagedList(items, page, `${deps.settings.publicUrl.replace(/\/+$/, '')}/v1/tenants`, req.query as Record<string, unknown>));
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/{id}',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'getTenant',
    summary: 'Read one tenant (admin token): its name, whether it is disabled, its webhook limit',
    params: [tenantId],
    responses: { '200': jsonResponse(tenantDetailSchema, 'The tenant'), ...notFoundResponse },
    async handler(req, res, { deps }) {
      const row = await findTenantDetail(deps.db, param(req, 'id'));
      if (!row) throw new NotFound('tenant');
      res.json(tenantDetail(row, deps.settings.defaultWebhookLimit));
    },
  },
  {
    method: 'post',
    path: '/v1/tenants/{id}/enable',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'enableTenant',
    summary: 'Enable a disabled tenant again (admin token)',
    description:
      'Undoes `DELETE /v1/tenants/{id}`: its API keys authenticate again on every gateway within a second, and its enabled webhooks receive the events published from now on. ' +
      'Deliveries skipped while it was disabled stay skipped (each keeps its row; `POST /v1/deliveries/{id}/retry` sends one again). Idempotent.',
    params: [tenantId],
    responses: { '200': jsonResponse(tenantDetailSchema, 'Enabled'), ...notFoundResponse },
    async handler(req, res, { deps }) {
      const id = param(req, 'id');
      if (!(await enableTenant(deps.db, id))) throw new NotFound('tenant');
      const row = await findTenantDetail(deps.db, id);
      if (!row) throw new NotFound('tenant');
      deps.logger.info({ tenant: id }, 'tenant enabled');
      res.json(tenantDetail(row, deps.settings.defaultWebhookLimit));
    },
  },
  {
    method: 'delete',
    path: '/v1/tenants/{id}',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'disableTenant',
    summary: 'Disable a tenant (admin token)',
    description:
      'Its API keys answer 401 on every gateway within a second, and its webhooks receive nothing more (queued and retrying deliveries are skipped). Nothing is deleted: its data ages out through retention, and `POST /v1/tenants/{id}/enable` undoes it. Idempotent.',
    params: [tenantId],
    responses: { '204': { description: 'Disabled' }, ...notFoundResponse },
    async handler(req, res, { deps }) {
      const id = param(req, 'id');
      if (!(await disableTenant(deps.db, id))) throw new NotFound('tenant');
      deps.logger.info({ tenant: id }, 'tenant disabled');
      res.status(204).end();
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/{id}/api-keys',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'listTenantApiKeys',
    summary: "List a tenant's API keys (admin token)",
    params: [tenantId],
    responses: { '200': jsonResponse(apiKeyListSchema, 'The keys, oldest first'), ...notFoundResponse },
    async handler(req, res, { deps }) {
      const id = param(req, 'id');
      await deps.keys.requireTenant(id);
      res.json({ list: await deps.keys.list(id) });
    },
  },
  {
    method: 'post',
    path: '/v1/tenants/{id}/api-keys',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'createTenantApiKey',
    summary: 'Create an API key for a tenant (admin token) with some or all scopes; it is returned once',
    params: [tenantId],
    body: apiKeyRequestBody,
    responses: {
      '201': jsonResponse(createdKeySchema, 'Created (Cache-Control: no-store)'),
      '400': errorResponse('Invalid body: an unknown scope (at /scopes/<i>), an empty or repeated list'),
      '415': errorResponse('Not JSON'),
      '409': errorResponse('The tenant is disabled'),
      ...notFoundResponse,
    },
    async handler(req, res, ctx) {
      const { deps } = ctx;
      const id = param(req, 'id');
      await deps.keys.requireTenant(id, true);
      const scopes = newKeyScopes(await requestedScopes(req, ctx));
      res
        .status(201)
        .set('cache-control', 'no-store')
        .json(await deps.keys.create(id, scopes));
    },
  },
  {
    method: 'delete',
    path: '/v1/tenants/{id}/api-keys/{keyId}',
    auth: 'admin',
    tag: 'Tenants',
    operationId: 'revokeTenantApiKey',
    summary: "Revoke a tenant's API key (admin token), its last one included",
    params: [tenantId, idParam('keyId', 'API key id', EXAMPLE_KEY_ID)],
    responses: { '204': { description: 'Revoked' }, ...notFoundResponse },
    async handler(req, res, { deps }) {
      const id = param(req, 'id');
      await deps.keys.requireTenant(id);
      await deps.keys.revoke(id, param(req, 'keyId'), 'admin');
      res.status(204).end();
    },
  },
];

function tenantDetail(row: TenantDetail, defaultWebhookLimit: number) {
  return {
    id: row.id,
    name: row.name,
    created_at: iso(row.created_at),
    disabled_at: iso(row.disabled_at),
    webhook_limit: row.webhook_limit ?? defaultWebhookLimit,
  };
}
