import { SecretRequestSchema, type SecretRequest } from '@hookstream/schemas';
import { listTenantSecrets, putTenantSecret } from '@hookstream/store';
import { errorResponse, jsonResponse, ref } from '../../openapi/shapes.js';
import { param } from '../context.js';
import type { Route } from './route.js';

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$/;

const secretTimes = {
  type: 'object',
  properties: { name: { type: 'string' }, updated_at: { type: 'string', format: 'date-time' } },
};

/**
 * The tenant's secret store: write-only values (encrypted at rest), names and times listed.
 * Names may contain slashes (`partners/daily-herald/token`), as path segments or %2F.
 */
export const secretRoutes: Route[] = [
  {
    method: 'put',
    path: '/v1/secrets/{name}',
    wildcard: ['name'],
    auth: 'tenant',
    scope: 'manage',
    tag: 'Secrets',
    operationId: 'putSecret',
    summary: 'Create or rotate a secret (write-only); the next delivery uses the new value',
    params: [
      {
        name: 'name',
        in: 'path',
        description: 'Secret name (may contain /, sent as is or as %2F)',
        schema: { type: 'string', pattern: SECRET_NAME_PATTERN.source },
        malformed: 'must be 1-256 characters: letters, digits, ".", "_", "/" or "-", starting with a letter or digit',
        example: 'partners/daily-herald/token',
      },
    ],
    body: {
      schema: SecretRequestSchema,
      content: { 'application/json': ref('SecretRequest') },
      invalidMessage: 'invalid secret',
      example: { value: 's3cr3t-token-value' },
    },
    responses: {
      '201': jsonResponse(secretTimes, 'Created'),
      '200': jsonResponse(secretTimes, 'Rotated'),
      '400': errorResponse('Invalid name or body'),
      '415': errorResponse('Not JSON'),
    },
    async handler(req, res, { deps, tenant, body }) {
      // The name's pattern is checked by the router (400 at /path/name).
      const name = param(req, 'name');
      const { value } = (await body()) as SecretRequest;
      const { created, updated_at } = await putTenantSecret(deps.db, deps.box, tenant.id, name, value);
      res.status(created ? 201 : 200).json({ name, updated_at: new Date(updated_at).toISOString() });
    },
  },
  {
    method: 'get',
    path: '/v1/secrets',
    auth: 'tenant',
    scope: 'read',
    tag: 'Secrets',
    operationId: 'listSecrets',
    summary: 'Names and times of the tenant secrets (values are never returned)',
    responses: {
      '200': jsonResponse(
        {
          type: 'object',
          properties: {
            list: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  created_at: { type: 'string', format: 'date-time' },
                  updated_at: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        'The names',
      ),
    },
    async handler(_req, res, { deps, tenant }) {
      const rows = await listTenantSecrets(deps.db, tenant.id);
      res.json({
        list: rows.map((s) => ({ name: s.name, created_at: new Date(s.created_at).toISOString(), updated_at: new Date(s.updated_at).toISOString() })),
      });
    },
  },
];
