import { validate } from '@hookstream/schemas';
import type { Health, Registry } from '@hookstream/service-kit';
import type { Express, NextFunction, Request, Response } from 'express';
import type { KeyOwner, Tenant } from '../auth/tenant-auth.js';
import { InvalidInput, NotFound } from '../domain/errors.js';
import { authenticateAdmin, authenticateTenant, requireScope } from './auth.js';
import { readJsonBody } from './body.js';
import { param, type GatewayDeps } from './context.js';
import { checkPathParams } from './path-params.js';
import { expressPath, type Route, type RouteContext } from './routes/route.js';

type Ops = { health: Health; registry: Registry };

/**
 * Registers each route of the table with Express: its auth kind runs first (as data on the
 * route, not as middleware order), then its scope (403), then its path parameters (400), then
 * the handler with a context holding the tenant and a body reader that validates against the
 * route's schema.
 */
export function mountRoutes(app: Express, routes: readonly Route[], deps: GatewayDeps, ops: Ops, document: Record<string, unknown>): void {
  for (const route of routes) {
    app[route.method](expressPath(route), async (req: Request, res: Response) => {
      let owner: KeyOwner | undefined;
      if (route.auth === 'tenant') {
        owner = await authenticateTenant(req, deps);
        requireScope(owner, route.scope, `${route.method.toUpperCase()} ${route.path}`);
      } else if (route.auth === 'admin') authenticateAdmin(req, deps);
      checkPathParams(route.params, (name) => param(req, name));
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
        body: () => readValidBody(req, route, deps.settings.apiBodyMaxBytes),
      };
      await route.handler(req, res, ctx);
    });
  }
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

async function readValidBody(req: Request, route: Route, limit: number): Promise<unknown> {
  const body = await readJsonBody(req, limit);
  const schema = route.body?.schema;
  if (!schema) return body;
  const result = validate(schema, body);
  if (result.ok) return result.value;
  // Ajv reports unknown properties before the known ones' problems; the API lists what is
  // wrong with the fields it knows first, then what it does not know.
  const unknownLast = [...result.errors.filter((e) => e.rule !== 'additionalProperties'), ...result.errors.filter((e) => e.rule === 'additionalProperties')];
  throw new InvalidInput(route.body?.invalidMessage ?? 'invalid request body', unknownLast);
}
