import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSON_SECURITY_HEADERS, type Health, type Registry } from '@hookstream/service-kit';
import type { GatewayDeps } from './context.js';
import { errorReply, sendErrorReply } from './errors.js';
import { observeRequest } from './metrics.js';
import { serveRoute, traced } from './router.js';
import type { Route } from './routes/route.js';

type Ops = { health: Health; registry: Registry };
const SECURITY_HEADERS = Object.entries(JSON_SECURITY_HEADERS);

/** Takes a request (and answers it) when it is one of the direct routes; false leaves it to Express. */
export type DirectDispatch = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The routes of the table marked `direct`, served before Express: Express' per-request work
 * (its request and response objects, the walk through every route's pattern, the query
 * parser) is most of what an ingest request costs besides the event itself. A request is taken
 * only when its method and path are exactly the route's (a query string allowed); then it gets
 * what app.ts gives every answer (the security headers, the request metrics), the route's
 * authentication, scope and handler through the same `serveRoute` as Express, its server span
 * when tracing is on, and the same error answers (`errorReply`). Every other spelling Express
 * would match goes on to Express, which serves the same route entry.
 */
export function directRoutes(routes: readonly Route[], deps: GatewayDeps, ops: Ops, document: Record<string, unknown>): DirectDispatch {
  const tracing = deps.tracing?.enabled ? deps.tracing : undefined;
  const byTarget = new Map<string, { path: string; handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> }>();
  for (const route of routes) {
    if (!route.direct) continue;
    if (/[{}]/.test(route.path)) throw new Error(`direct route ${route.operationId} has a path parameter: only Express matches those`);
    const noParams = (name: string): string => {
      throw new Error(`direct route ${route.operationId} has no path parameter ${name}`);
    };
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      try {
        await serveRoute(route, req, res, noParams, deps, ops, document);
      } catch (e) {
        sendErrorReply(
          res,
          errorReply(e, deps.logger, req.method ?? '', () => route.path),
        );
      }
    };
    byTarget.set(`${route.method.toUpperCase()} ${route.path}`, { path: route.path, handle: tracing ? traced(tracing, route, handle) : handle });
  }
  return (req, res) => {
    if (byTarget.size === 0) return false;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const target = byTarget.get(`${req.method} ${query < 0 ? url : url.slice(0, query)}`);
    if (!target) return false;
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    observeRequest(deps.metrics, req.method!, res, () => target.path);
    void target.handle(req, res);
    return true;
  };
}
