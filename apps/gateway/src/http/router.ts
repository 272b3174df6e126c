import type { IncomingMessage, ServerResponse } from 'node:http';
import { validate } from '@hookstream/schemas';
import { SpanKind, SpanStatusCode, type Health, type Registry, type Tracing } from '@hookstream/service-kit';
import type { Express, NextFunction, Request, Response } from 'express';
import type { KeyOwner, Tenant } from '../auth/tenant-auth.js';
import { InvalidInput, NotFound } from '../domain/errors.js';
import type { Session } from '../sessions/session-tokens.js';
import { authenticateAdmin, authenticateTenant, requireScope } from './auth.js';
import { readJsonBody } from './body.js';
import { param, type GatewayDeps } from './context.js';
import { checkPathParams } from './path-params.js';
import { enforcePortalAccess, partnerScopeOf, refuseOutsidePortal } from './portal-access.js';
import { expressPath, type Route, type RouteContext } from './routes/route.js';

type Ops = { health: Health; registry: Registry };

/**
 * Registers each route of the table with Express (the direct ones too: Express serves the
 * spellings of their path that the direct dispatch leaves to it).
 */
export function mountRoutes(app: Express, routes: readonly Route[], deps: GatewayDeps, ops: Ops, document: Record<string, unknown>): void {
  const tracing = deps.tracing?.enabled ? deps.tracing : undefined;
  for (const route of routes) {
    const handle = (req: Request, res: Response) => serveRoute(route, req, res, (name) => param(req, name), deps, ops, document);
    app[route.method](expressPath(route), tracing ? traced(tracing, route, handle) : handle);
  }
}

/**
 * Serves one request of a route: its auth kind runs first (as data on the route, not as
 * middleware order), then its scope (403), then its path parameters (400), then the handler
 * with a context holding the tenant and a body reader that validates against the route's
 * schema. Errors are left to the caller (Express' error middleware, or the direct dispatch).
 */
export async function serveRoute(
  route: Route,
  req: IncomingMessage,
  res: ServerResponse,
  paramOf: (name: string) => string,
  deps: GatewayDeps,
  ops: Ops,
  document: Record<string, unknown>,
): Promise<void> {
  let owner: KeyOwner | undefined;
  let session: Session | undefined;
  if (route.auth === 'tenant') {
    ({ owner, session } = await authenticateTenant(req, deps));
    if (session) refuseOutsidePortal(route);
    requireScope(owner, route.scope, `${route.method.toUpperCase()} ${route.path}`);
  } else if (route.auth === 'admin') session = await authenticateAdmin(req, deps);
  checkPathParams(route.params, paramOf);
  // A portal session sees its partner's webhooks only: others are a 404, like another tenant's.
  const partnerScope = session?.kind === 'portal' ? partnerScopeOf(session) : undefined;
  if (partnerScope && owner) await enforcePortalAccess(deps.db, route, owner.tenant.id, partnerScope, () => paramOf('id'));
  const tenantKey = (): KeyOwner => {
    if (!owner) throw new Error(`route ${route.operationId} is not behind tenant authentication`);
    return owner;
  };
  const ctx: RouteContext = {
    deps,
    ops,
    document,
    get tenant(): Tenant {
      return tenantKey().tenant;
    },
    get key(): KeyOwner {
      return tenantKey();
    },
    session,
    partnerScope,
    body: () => readValidBody(req, route, deps.settings.apiBodyMaxBytes),
  };
  // A direct route's handler takes node's request and response, which Express' extend.
  await (route.handler as (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => Promise<void> | void)(req, res, ctx);
}

/**
 * The request's server span: a child of the caller's W3C `traceparent` header when it sends one,
 * named by the route template (never the concrete path: ids would make every name unique),
 * ended with the status the response went out with.
 */
export function traced<Req extends IncomingMessage, Res extends ServerResponse>(tracing: Tracing, route: Route, handle: (req: Req, res: Res) => Promise<void>) {
  const name = `${route.method.toUpperCase()} ${route.path}`;
  return (req: Req, res: Res) => {
    const traceparent = req.headers.traceparent;
    const tracestate = req.headers.tracestate;
    const span = tracing.startSpan(name, {
      kind: SpanKind.SERVER,
      ...(typeof traceparent === 'string' ? { parent: { traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) } } : {}),
      attributes: { 'http.request.method': route.method.toUpperCase(), 'http.route': route.path },
    });
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    return tracing.withSpan(span, () => handle(req, res));
  };
}

/**
 * What no route matched. Under /v1 the caller still needs a valid API key (and spends a token
 * of its rate limit) before learning that a path does not exist, as for any tenant route.
 */
export function unmatchedRoutes(app: Express, deps: GatewayDeps): void {
  const noRoute = (req: Request) => new NotFound('route', `no route for ${req.method} ${req.baseUrl}${req.path}`);
  app.use('/v1', async (req: Request, _res: Response, next: NextFunction) => {
    await authenticateTenant(req, deps);
    next(noRoute(req));
  });
  app.use((req: Request, _res: Response, next: NextFunction) => next(noRoute(req)));
}

async function readValidBody(req: IncomingMessage, route: Route, limit: number): Promise<unknown> {
  const body = await readJsonBody(req, limit, route.body?.invalidMessage);
  const schema = route.body?.schema;
  if (!schema) return body;
  const result = validate(schema, body);
  if (result.ok) return result.value;
  // Ajv reports unknown properties before the known ones' problems; the API lists what is
  // wrong with the fields it knows first, then what it does not know.
  const unknownLast = [...result.errors.filter((e) => e.rule !== 'additionalProperties'), ...result.errors.filter((e) => e.rule === 'additionalProperties')];
  throw new InvalidInput(route.body?.invalidMessage ?? 'invalid request body', unknownLast);
}
