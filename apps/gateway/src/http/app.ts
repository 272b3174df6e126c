import express from 'express';
import { JSON_SECURITY_HEADERS, type Health, type Registry } from '@hookstream/service-kit';
import { docsPage } from '../openapi/docs-routes.js';
import { openApiDocument } from '../openapi/document.js';
import type { GatewayDeps } from './context.js';
import { errorMiddleware } from './errors.js';
import { requestMetrics } from './metrics.js';
import { mountRoutes, unmatchedRoutes } from './router.js';
import { ROUTES } from './routes/index.js';

const SECURITY_HEADERS = Object.entries(JSON_SECURITY_HEADERS);

/**
 * The gateway's HTTP application: security headers on every answer (the docs page narrows its
 * CSP for itself), the route table, the docs page, then 404 and the error mapping.
 */
export function createApp(deps: GatewayDeps, ops: { health: Health; registry: Registry }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // First, so error answers carry them too; fixed strings, set on the ingest hot path as well.
  app.use((_req, res, next) => {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    next();
  });
  app.use(requestMetrics(deps.metrics));
  const s = deps.settings;
  const document = openApiDocument(ROUTES, {
    publicUrl: s.publicUrl,
    eventMaxBytes: s.eventMaxBytes,
    batchMaxEvents: s.batchMaxEvents,
    dedupWindowS: s.dedupWindowS,
  });
  mountRoutes(app, ROUTES, deps, ops, document);
  app.use(docsPage(s.publicUrl));
  unmatchedRoutes(app, deps);
  app.use(errorMiddleware(deps.logger));
  return app;
}
