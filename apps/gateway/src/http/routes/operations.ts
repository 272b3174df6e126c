import { handleOpsRequest } from '@hookstream/service-kit';
import { NotFound } from '../../domain/errors.js';
import type { Route } from './route.js';

// The ops endpoints are answered by service-kit (the same code serves the workers' ops port).
// It matches exact paths only, where Express also routes `/healthz/` and `/HEALTHZ` here.
const ops: Route['handler'] = async (req, res, { ops }) => {
  if (!(await handleOpsRequest(req, res, ops.health, ops.registry))) throw new NotFound('route', `no route for ${req.method} ${req.path}`);
};

/** Liveness, readiness, metrics and the OpenAPI document itself: no credentials. */
export const operationRoutes: Route[] = [
  {
    method: 'get',
    path: '/healthz',
    auth: 'none',
    tag: 'Operations',
    operationId: 'liveness',
    summary: 'Liveness',
    responses: { '200': { description: 'Alive' } },
    handler: ops,
  },
  {
    method: 'get',
    path: '/readyz',
    auth: 'none',
    tag: 'Operations',
    operationId: 'readiness',
    summary: 'Readiness (Kafka and PostgreSQL reachable)',
    responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
    handler: ops,
  },
  {
    method: 'get',
    path: '/metrics',
    auth: 'none',
    tag: 'Operations',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    responses: { '200': { description: 'Metrics in the Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    handler: ops,
  },
  {
    method: 'get',
    path: '/openapi.json',
    auth: 'none',
    tag: 'Operations',
    operationId: 'openApiDocument',
    summary: 'This OpenAPI 3.1 document, generated from the route table',
    responses: { '200': { description: 'The document', content: { 'application/json': { schema: { type: 'object' } } } } },
    handler(_req, res, { document }) {
      res.type('application/json').send(JSON.stringify(document));
    },
  },
];
