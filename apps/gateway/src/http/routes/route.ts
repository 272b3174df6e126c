import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeyScope } from '@hookstream/schemas';
import type { Health, Registry } from '@hookstream/service-kit';
import type { TSchema } from '@sinclair/typebox';
import type { Request, Response } from 'express';
import type { PartnerScope } from '@hookstream/store';
import type { KeyOwner, Tenant } from '../../auth/tenant-auth.js';
import type { Session } from '../../sessions/session-tokens.js';
import type { GatewayDeps } from '../context.js';
import type { PortalAccess } from '../portal-access.js';

type Json = Record<string, unknown>;

/** Who may call a route: anyone, the operator (admin token) or a tenant (API key, rate-limited). */
export type Auth = 'none' | 'admin' | 'tenant';

/**
 * What a tenant route needs of the caller's API key (#17.1): `publish` for events, `read` for
 * every GET, `manage` for every change. A key lacking it gets a 403 naming it.
 */
export type Scope = ApiKeyScope;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Resource groups of the API: the OpenAPI tags, in the order the docs page lists them. */
export const TAGS = {
  Tenants: 'Tenants and their API keys (operator only)',
  ApiKeys: "The tenant's own API keys: list, create (shown once), revoke",
  Events: 'Publishing CloudEvents and following what became of them',
  Webhooks: 'Webhook subscriptions: create, list, update, enable, delete',
  Secrets: "The tenant's write-only secret store, referenced by webhooks",
  Deliveries: 'Delivery history of webhooks and manual retry',
  Sessions: 'Portal and console sessions: single-use links exchanged for a session cookie',
  Operations: 'Health of this gateway and this document',
  'Operations console':
    'What the operator console shows and does (admin token): dead letters and their replay, buggy and disabled webhooks, consumer lag, the delivery rate',
} as const;
export type Tag = keyof typeof TAGS;

/** Limits and URLs a route's documentation may quote. */
export interface DocSettings {
  publicUrl: string;
  eventMaxBytes: number;
  batchMaxEvents: number;
  dedupWindowS: number;
}

type Text = string | ((s: DocSettings) => string);

export interface ParamDoc {
  name: string;
  in: 'path' | 'query';
  description?: string;
  /**
   * A path parameter's schema is also its check (http/path-params.ts): `format: 'uuid'`,
   * `pattern`, `minLength` and `maxLength` refuse a malformed value with a 400 at `/path/<name>`.
   */
  schema: Json;
  /** The message of that 400 (default: one derived from the schema). */
  malformed?: string;
  /** Value used in the route's example request. */
  example?: string | number;
}

export interface BodyDoc {
  /**
   * The TypeBox schema a JSON body is validated against before the handler gets it (400 with
   * one detail per problem). Absent: the handler's service checks the body itself.
   */
  schema?: TSchema;
  /** The message of the 400 when `schema` refuses the body. */
  invalidMessage?: string;
  /** The documented schema per media type (default: `schema` as application/json). */
  content?: Record<string, Json>;
  description?: string;
  /** The example request body shown in the docs. */
  example: unknown;
  /** The body may be left out (the handler then reads nothing). */
  optional?: boolean;
}

export interface RouteContext {
  deps: GatewayDeps;
  ops: { health: Health; registry: Registry };
  /** The caller's tenant: set on `auth: 'tenant'` routes only. */
  tenant: Tenant;
  /** The caller's API key (its id and scopes): set on `auth: 'tenant'` routes only; a portal session's is `session:<id>`. */
  key: KeyOwner;
  /** The UI session that authenticated the request (portal or console cookie); undefined for an API key or the admin token. */
  session?: Session | undefined;
  /** A portal session's webhook scope: `scoped` routes narrow their reads and writes to it. */
  partnerScope?: PartnerScope | undefined;
  /**
   * Reads the JSON body (application/json or +json, API body limit) and checks it against
   * `body.schema`. Lazy, so a handler may refuse on its path parameters before reading.
   */
  body(): Promise<unknown>;
  /** This API's OpenAPI document, as served. */
  document: Json;
}

/**
 * Who may call a route: a tenant route names the scope its key must hold (the type requires it,
 * so a route added without one does not compile); the others have none.
 */
export type RouteAuth = { auth: 'tenant'; scope: Scope } | { auth: Exclude<Auth, 'tenant'>; scope?: never };

/** One operation of the API: how it is routed, who may call it, what it takes and answers. */
export type Route = RouteAuth & (ExpressOperation | DirectOperation);

/** A route Express serves (every route but the direct ones). */
export interface ExpressOperation extends RouteOperation {
  direct?: false | undefined;
  handler(req: Request, res: Response, ctx: RouteContext): Promise<void> | void;
}

/**
 * A hot route served before Express (http/direct-routes.ts) when its path is exactly the
 * template, with the same authentication, metrics, tracing and error answers; other spellings
 * Express still matches (a trailing slash, another case) reach the same handler through Express.
 * So its handler uses node's request and response only, and the route has no path parameters.
 */
export interface DirectOperation extends RouteOperation {
  direct: true;
  params?: undefined;
  wildcard?: undefined;
  handler(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> | void;
}

export interface RouteOperation {
  method: Method;
  /** OpenAPI path template, e.g. `/v1/webhooks/{id}`. */
  path: string;
  /** Path parameters that may span several segments (`/v1/secrets/{name}` with `a/b`). */
  wildcard?: string[];
  tag: Tag;
  operationId: string;
  summary: Text;
  description?: Text;
  params?: ParamDoc[];
  body?: BodyDoc;
  /**
   * OpenAPI responses of this route; 401/429/503 of its auth kind, the 403 of its scope and the
   * 400 of a malformed path parameter are added by the document.
   */
  responses: Record<string, Json>;
  /** What a portal session may do with this tenant route (http/portal-access.ts); default from the path, else refused. */
  portal?: PortalAccess;
}

export const text = (t: Text | undefined, s: DocSettings): string | undefined => (typeof t === 'function' ? t(s) : t);

/** The Express path of a route: `{id}` becomes `:id`, a wildcard `{name}` becomes `*name`. */
export function expressPath(route: Pick<Route, 'path' | 'wildcard'>): string {
  return route.path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => (route.wildcard?.includes(name) ? `*${name}` : `:${name}`));
}
