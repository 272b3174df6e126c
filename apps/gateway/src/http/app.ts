import express from 'express';
import type { Health, Registry } from '@hookstream/service-kit';
import { docsPage } from '../openapi/docs-routes.js';
import { openApiDocument } from '../openapi/document.js';
import type { GatewayDeps } from './context.js';
import { errorMiddleware } from './errors.js';
import { requestMetrics } from './metrics.js';
import { mountRoutes, unmatchedRoutes } from './router.js';
import { ROUTES } from './routes/index.js';

/** The gateway's HTTP application: the route table, the docs page, then 404 and the error mapping. */
export function createApp(deps: GatewayDeps, ops: { health: Health; registry: Registry }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestMetrics(deps.metrics));
  const s = deps.settings;
  const document = openApiDocument(ROUTES, {
    publicUrl: s.publicUrl,
    eventMaxBytes: s.eventMaxBytes,
    batchMaxEvents: s.batchMaxEvents,
    dedupWindowS: s.dedupWindowS,
  });
  mountRoutes(app, ROUTES, deps, ops, document);
  app.use(docsPage());
  unmatchedRoutes(app, deps);
  app.use(errorMiddleware(deps.logger));
  return app;
}
