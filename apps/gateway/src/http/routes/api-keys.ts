import { API_KEY_SCOPES, ApiKeyRequestSchema, type ApiKeyRequest } from '@hookstream/schemas';
import type { Request } from 'express';
import { Forbidden } from '../../domain/errors.js';
import { errorResponse, idParam, jsonResponse, notFoundResponse, ref } from '../../openapi/shapes.js';
import { newKeyScopes } from '../../tenants/key-service.js';
import { param } from '../context.js';
import type { BodyDoc, Route, RouteContext } from './route.js';

export const EXAMPLE_KEY_ID = '5d0c8e2a-1b7f-4a39-8e6d-3c2b1a0f9e87';

const scopesSchema = { type: 'array', items: { enum: [...API_KEY_SCOPES] }, description: 'What the key may do' };
export const apiKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    hint: { type: 'string', description: 'hs_... and the last 4 characters of the key' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time', description: 'Recorded at most once a minute per key' },
    scopes: scopesSchema,
  },
  required: ['id', 'hint', 'created_at', 'last_used_at', 'scopes'],
};
export const apiKeyListSchema = { type: 'object', properties: { list: { type: 'array', items: apiKeySchema } }, required: ['list'] };
export const createdKeySchema = {
  type: 'object',
  properties: { ...apiKeySchema.properties, api_key: { type: 'string', description: 'The key itself: shown this once, stored only as a hash' } },
  required: ['id', 'api_key', 'hint', 'created_at', 'last_used_at', 'scopes'],
};

/** The optional body of both key-creating routes: `{"scopes": [...]}`; no body at all means all scopes. */
export const apiKeyRequestBody: BodyDoc = {
  schema: ApiKeyRequestSchema,
  content: { 'application/json': ref('ApiKeyRequest') },
  invalidMessage: 'invalid API key request',
  description: 'Optional: without a body (or without `scopes`) the key gets all three scopes',
  example: { scopes: ['publish'] },
  optional: true,
};

/** The requested scopes of a new key, from an optional JSON body. */
export async function requestedScopes(req: Request, ctx: Pick<RouteContext, 'body'>): Promise<ApiKeyRequest['scopes']> {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return undefined;
  return ((await ctx.body()) as ApiKeyRequest).scopes;
}

/** The calling tenant's own keys: rotation is create, switch, revoke. */
export const apiKeyRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/api-keys',
    auth: 'tenant',
    // Hints, scopes and times only: a read-only key may see which keys exist (an audit), not change them.
    scope: 'read',
    tag: 'ApiKeys',
    operationId: 'listApiKeys',
    summary: "List the tenant's API keys (hints and scopes only)",
    responses: { '200': jsonResponse(apiKeyListSchema, 'The keys, oldest first') },
    async handler(_req, res, { deps, tenant }) {
      res.json({ list: await deps.keys.list(tenant.id) });
    },
  },
  {
    method: 'post',
    path: '/v1/api-keys',
    auth: 'tenant',
    scope: 'manage',
    tag: 'ApiKeys',
    operationId: 'createApiKey',
    summary: 'Create another API key with some or all scopes; it is returned once',
    description:
      'A key may only create keys with scopes it holds itself (403 naming the one it lacks). Without `scopes` the new key gets all three, so a key that lacks one must name the scopes it wants.',
    body: apiKeyRequestBody,
    responses: {
      '201': jsonResponse(createdKeySchema, 'Created (Cache-Control: no-store)'),
      '400': errorResponse('Invalid body: an unknown scope (at /scopes/<i>), an empty or repeated list'),
      '415': errorResponse('Not JSON'),
    },
    async handler(req, res, ctx) {
      const { deps, tenant, key } = ctx;
      const scopes = newKeyScopes(await requestedScopes(req, ctx));
      const lacking = scopes.find((s) => !key.scopes.includes(s));
      if (lacking) {
        throw new Forbidden(
          `an API key may only create keys with scopes it holds itself: this one lacks "${lacking}" (it holds: ${key.scopes.join(', ')}); name the scopes of the new key in "scopes"`,
          lacking,
        );
      }
      res
        .status(201)
        .set('cache-control', 'no-store')
        .json(await deps.keys.create(tenant.id, scopes));
    },
  },
  {
    method: 'delete',
    path: '/v1/api-keys/{id}',
    auth: 'tenant',
    scope: 'manage',
    tag: 'ApiKeys',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (every gateway refuses it within a second)',
    description:
      'The last key cannot be revoked by the tenant (409): create another one first. Any key with the manage scope may revoke any key of its tenant: revoking takes power away, it never grants any.',
    params: [idParam('id', 'API key id', EXAMPLE_KEY_ID)],
    responses: { '204': { description: 'Revoked' }, '409': errorResponse('The last API key of the tenant'), ...notFoundResponse },
    async handler(req, res, { deps, tenant }) {
      await deps.keys.revoke(tenant.id, param(req, 'id'), 'tenant');
      res.status(204).end();
    },
  },
];
