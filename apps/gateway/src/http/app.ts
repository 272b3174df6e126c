import { handleOpsRequest, type Health, type Registry } from '@hookstream/service-kit';
import express, { type NextFunction, type Request, type Response } from 'express';
import { docsRoutes } from '../openapi/docs-routes.js';
import { openApiDocument } from '../openapi/document.js';
import type { GatewayDeps } from './context.js';
import { HttpError, sendError } from './errors.js';
import { requestMetrics } from './metrics.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { eventRoutes } from './routes/events.js';
import { secretRoutes } from './routes/secrets.js';
import { requireTenant } from './routes/tenant-auth.js';
import { tenantRoutes } from './routes/tenants.js';
import { webhookRoutes } from './routes/webhooks.js';

/** The gateway's HTTP application: ops endpoints, docs, tenant creation, then the tenant API. */
export function createApp(deps: GatewayDeps, ops: { health: Health; registry: Registry }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestMetrics(deps.metrics));
  app.use((req, res, next) => {
    handleOpsRequest(req, res, ops.health, ops.registry).then((handled) => (handled ? undefined : next()), next);
  });
  app.use(
    docsRoutes(
      openApiDocument(deps.settings.publicUrl, {
        eventMaxBytes: deps.settings.eventMaxBytes,
        batchMaxEvents: deps.settings.batchMaxEvents,
        dedupWindowS: deps.settings.dedupWindowS,
      }),
    ),
  );
  app.use(tenantRoutes(deps));
  app.use('/v1', requireTenant(deps));
  app.use(eventRoutes(deps));
  app.use(webhookRoutes(deps));
  app.use(secretRoutes(deps));
  app.use(deliveryRoutes(deps));
  app.use((req: Request, res: Response) => sendError(res, 404, `no route for ${req.method} ${req.path}`));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) {
      sendError(res, err.status, err.message, err.details, err.headers);
      return;
    }
    // Errors raised by Express itself (e.g. a malformed URL) carry a client status.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(res, status, status === 400 ? 'bad request' : (err as Error).message);
      return;
    }
    deps.logger.error({ err: describe(err), method: req.method, route: req.route?.path ?? req.path }, 'request failed');
    sendError(res, 500, 'internal error; the request was not completed');
  });
  return app;
}

/** Message and code only: a driver error's parameters could hold request data. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { type: err.name, message: err.message.slice(0, 500), code: (err as { code?: unknown }).code };
  return { message: String(err).slice(0, 200) };
}
