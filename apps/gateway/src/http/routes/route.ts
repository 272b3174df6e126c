import type { Health, Registry } from '@hookstream/service-kit';
import type { TSchema } from '@sinclair/typebox';
import type { Request, Response } from 'express';
import type { Tenant } from '../../auth/tenant-auth.js';
import type { GatewayDeps } from '../context.js';

type Json = Record<string, unknown>;

/** Who may call a route: anyone, the operator (admin token) or a tenant (API key, rate-limited). */
export type Auth = 'none' | 'admin' | 'tenant';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Resource groups of the API: the OpenAPI tags, in the order the docs page lists them. */
export const TAGS = {
  Tenants: 'Tenants and their API keys (operator only)',
  ApiKeys: "The tenant's own API keys: list, create (shown once), revoke",
  Events: 'Publishing CloudEvents and following what became of them',
  Webhooks: 'Webhook subscriptions: create, list, update, enable, delete',
  Secrets: "The tenant's write-only secret store, referenced by webhooks",
  Deliveries: 'Delivery history of webhooks and manual retry',
  Operations: 'Health of this gateway and this document',
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
  schema: Json;
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
}

export interface RouteContext {
  deps: GatewayDeps;
  ops: { health: Health; registry: Registry };
  /** The caller's tenant: set on `auth: 'tenant'` routes only. */
  tenant: Tenant;
  /**
   * Reads the JSON body (application/json or +json, API body limit) and checks it against
   * `body.schema`. Lazy, so a handler may refuse on its path parameters before reading.
   */
  body(): Promise<unknown>;
  /** This API's OpenAPI document, as served. */
  document: Json;
}

/** One operation of the API: how it is routed, who may call it, what it takes and answers. */
export interface Route {
  method: Method;
  /** OpenAPI path template, e.g. `/v1/webhooks/{id}`. */
  path: string;
  /** Path parameters that may span several segments (`/v1/secrets/{name}` with `a/b`). */
  wildcard?: string[];
  auth: Auth;
  tag: Tag;
  operationId: string;
  summary: Text;
  description?: Text;
  params?: ParamDoc[];
  body?: BodyDoc;
  /** OpenAPI responses of this route; 401/429/503 of its auth kind are added by the document. */
  responses: Record<string, Json>;
  handler(req: Request, res: Response, ctx: RouteContext): Promise<void> | void;
}

export const text = (t: Text | undefined, s: DocSettings): string | undefined => (typeof t === 'function' ? t(s) : t);

/** The Express path of a route: `{id}` becomes `:id`, a wildcard `{name}` becomes `*name`. */
export function expressPath(route: Pick<Route, 'path' | 'wildcard'>): string {
  return route.path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => (route.wildcard?.includes(name) ? `*${name}` : `:${name}`));
}
