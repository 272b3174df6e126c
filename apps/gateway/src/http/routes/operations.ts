import { NotFound } from '../../domain/errors.js';
import type { ExpressOperation, Route } from './route.js';

/**
 * The API port's health: one bit for a load balancer outside the cluster, 200 when this gateway
 * can serve and 503 when a dependency fails or it is shutting down. The reasons, /readyz and
 * /metrics are on the operations port (OPS_PORT) only: they describe the internals.
 */
const healthz: ExpressOperation['handler'] = async (req, res, { ops }) => {
  // Exact path only, where Express also routes `/healthz/` and `/HEALTHZ` here.
  if (req.path !== '/healthz') throw new NotFound('route', `no route for ${req.method} ${req.path}`);
  const ok = await ops.health.isReady();
  res
    .status(ok ? 200 : 503)
    .set('cache-control', 'no-store')
    .json({ status: ok ? 'ok' : 'unavailable' });
};

/** Health of this gateway and the OpenAPI document itself: no credentials. */
export const operationRoutes: Route[] = [
  {
    method: 'get',
    path: '/healthz',
    auth: 'none',
    tag: 'Operations',
    operationId: 'health',
    summary: 'Health: 200 when this gateway can serve, 503 otherwise (details on the operations port)',
    responses: { '200': { description: 'Serving' }, '503': { description: 'Not serving: a dependency fails or the gateway is shutting down' } },
    handler: healthz,
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
