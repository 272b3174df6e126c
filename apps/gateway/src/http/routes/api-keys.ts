import { param } from '../context.js';
import { errorResponse, idParam, jsonResponse, notFoundResponse } from '../../openapi/shapes.js';
import type { Route } from './route.js';

export const EXAMPLE_KEY_ID = '5d0c8e2a-1b7f-4a39-8e6d-3c2b1a0f9e87';

export const apiKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    hint: { type: 'string', description: 'hs_... and the last 4 characters of the key' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time', description: 'Recorded at most once a minute per key' },
  },
  required: ['id', 'hint', 'created_at', 'last_used_at'],
};
export const apiKeyListSchema = { type: 'object', properties: { list: { type: 'array', items: apiKeySchema } }, required: ['list'] };
export const createdKeySchema = {
  type: 'object',
  properties: { ...apiKeySchema.properties, api_key: { type: 'string', description: 'The key itself: shown this once, stored only as a hash' } },
  required: ['id', 'api_key', 'hint', 'created_at', 'last_used_at'],
};

/** The calling tenant's own keys: rotation is create, switch, revoke. */
export const apiKeyRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/api-keys',
    auth: 'tenant',
    tag: 'ApiKeys',
    operationId: 'listApiKeys',
    summary: "List the tenant's API keys (hints only)",
    responses: { '200': jsonResponse(apiKeyListSchema, 'The keys, oldest first') },
    async handler(_req, res, { deps, tenant }) {
      res.json({ list: await deps.keys.list(tenant.id) });
    },
  },
  {
    method: 'post',
    path: '/v1/api-keys',
    auth: 'tenant',
    tag: 'ApiKeys',
    operationId: 'createApiKey',
    summary: 'Create another API key; it is returned once',
    responses: { '201': jsonResponse(createdKeySchema, 'Created (Cache-Control: no-store)') },
    async handler(_req, res, { deps, tenant }) {
      res
        .status(201)
        .set('cache-control', 'no-store')
        .json(await deps.keys.create(tenant.id));
    },
  },
  {
    method: 'delete',
    path: '/v1/api-keys/{id}',
    auth: 'tenant',
    tag: 'ApiKeys',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (every gateway refuses it within a second)',
    description: 'The last key cannot be revoked by the tenant (409): create another one first.',
    params: [idParam('id', 'API key id', EXAMPLE_KEY_ID)],
    responses: { '204': { description: 'Revoked' }, '409': errorResponse('The last API key of the tenant'), ...notFoundResponse },
    async handler(req, res, { deps, tenant }) {
      await deps.keys.revoke(tenant.id, param(req, 'id'), 'tenant');
      res.status(204).end();
    },
  },
];
