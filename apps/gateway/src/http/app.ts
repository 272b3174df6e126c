import type { RequestListener } from 'node:http';
import express from 'express';
import { JSON_SECURITY_HEADERS, type Health, type Registry } from '@hookstream/service-kit';
import { docsPage } from '../openapi/docs-routes.js';
import { openApiDocument } from '../openapi/document.js';
import type { GatewayDeps } from './context.js';
import { directRoutes } from './direct-routes.js';
import { errorMiddleware } from './errors.js';
import { requestMetrics } from './metrics.js';
import { mountRoutes, unmatchedRoutes } from './router.js';
import { ROUTES } from './routes/index.js';
import { webUiPages } from './web-ui.js';

const SECURITY_HEADERS = Object.entries(JSON_SECURITY_HEADERS);
type Ops = { health: Health; registry: Registry };

/**
 * The gateway's HTTP application: security headers on every answer (the docs page narrows its
 * CSP for itself), the route table, the docs page, the portal and console pages, then 404 and
 * the error mapping.
 */
export function createApp(deps: GatewayDeps, ops: Ops): express.Express {
  return expressApp(deps, ops, documentOf(deps));
}

/**
 * What the API port runs: the direct routes (http/direct-routes.ts) first, everything else
 * through the Express app, both from the one route table and the one document.
 */
export function createRequestListener(deps: GatewayDeps, ops: Ops): RequestListener {
  const document = documentOf(deps);
  const app = expressApp(deps, ops, document);
  const direct = directRoutes(ROUTES, deps, ops, document);
  return (req, res) => {
    if (!direct(req, res)) void app(req, res);
  };
}

function documentOf(deps: GatewayDeps): Record<string, unknown> {
  const s = deps.settings;
  return openApiDocument(ROUTES, {
    publicUrl: s.publicUrl,
    eventMaxBytes: s.eventMaxBytes,
    batchMaxEvents: s.batchMaxEvents,
    dedupWindowS: s.dedupWindowS,
  });
}

function expressApp(deps: GatewayDeps, ops: Ops, document: Record<string, unknown>): express.Express {
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
  mountRoutes(app, ROUTES, deps, ops, document);
  app.use(docsPage(deps.settings.publicUrl));
  app.use(webUiPages());
  unmatchedRoutes(app, deps);
  app.use(errorMiddleware(deps.logger));
  return app;
}
