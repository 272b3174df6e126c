import { toJsonSchema } from '@hookstream/schemas';
import { TAGS, text, type DocSettings, type Route } from '../http/routes/route.js';
import { componentSchemas } from './components.js';
import { errorResponse } from './shapes.js';

type Json = Record<string, unknown>;

// What each kind of auth adds to every route that has it.
const AUTH_RESPONSES: Record<Route['auth'], Json> = {
  none: {},
  admin: {
    '401': errorResponse('Missing or wrong admin token'),
    '429': {
      ...errorResponse('Too many failed authentications from this address'),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
    },
    '503': errorResponse('HOOKSTREAM_ADMIN_TOKEN is not set'),
  },
  tenant: {
    '401': errorResponse('Missing or invalid API key'),
    '429': {
      ...errorResponse('Rate limit of the tenant exceeded, or too many failed authentications from this address'),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
    },
  },
};
const SECURITY: Record<Route['auth'], Json[] | undefined> = { none: [], admin: [{ admin: [] }], tenant: undefined };

/**
 * The scope a tenant route needs, in three places a reader or a tool looks: the security
 * requirement (OpenAPI 3.1 lets a bearer scheme list role names), the `x-hookstream-scope`
 * extension and the description; and its 403.
 */
function scopeOf(route: Route): { extension: Json; responses: Json; note: string } {
  if (route.auth !== 'tenant') return { extension: {}, responses: {}, note: '' };
  return {
    extension: { 'x-hookstream-scope': route.scope, security: [{ apiKey: [route.scope] }] },
    responses: {
      '403': {
        ...errorResponse(`The API key lacks the \`${route.scope}\` scope (\`missing_scope\` names it)`),
      },
    },
    note: `Requires an API key with the \`${route.scope}\` scope (403 otherwise).`,
  };
}

/** The 400 of a malformed path parameter (http/path-params.ts), merged with a route's own 400. */
function pathParamResponses(route: Route): Json {
  const names = (route.params ?? []).filter((p) => p.in === 'path').map((p) => `/path/${p.name}`);
  if (!names.length) return {};
  const malformed = `a malformed path parameter (at ${names.join(' or ')})`;
  const own = route.responses['400'] as { description?: string } | undefined;
  return { '400': own ? { ...own, description: `${own.description ?? 'Invalid'}; or ${malformed}` } : errorResponse(`Malformed: ${malformed}`) };
}

/**
 * The OpenAPI 3.1 document of the gateway, generated from the route table: the only place
 * routes are declared, so the document lists exactly what is served. Schemas are written in
 * JSON Schema 2020-12, which OpenAPI 3.1's default dialect takes as is: no `jsonSchemaDialect`
 * is set (swagger-ui warns about any other value).
 */
export function openApiDocument(routes: readonly Route[], settings: DocSettings): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    (paths[route.path] ??= {})[route.method] = operation(route, settings);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'hookstream gateway',
      version: '1.0.0',
      description: 'Event ingest (data plane) and the webhooks, secrets and delivery history API (control plane).',
    },
    servers: [{ url: settings.publicUrl }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key (hs_...)' },
        admin: { type: 'http', scheme: 'bearer', description: 'HOOKSTREAM_ADMIN_TOKEN' },
      },
    },
  };
}

function operation(route: Route, settings: DocSettings): Json {
  const security = SECURITY[route.auth];
  const scope = scopeOf(route);
  const description = [text(route.description, settings), scope.note].filter(Boolean).join(' ');
  const op: Json = {
    operationId: route.operationId,
    tags: [route.tag],
    summary: text(route.summary, settings),
    ...(description ? { description } : {}),
    ...(security ? { security } : {}),
    ...scope.extension,
  };
  if (route.params?.length) {
    op.parameters = route.params.map((p) => ({
      name: p.name,
      in: p.in,
      ...(p.in === 'path' ? { required: true } : {}),
      ...(p.description ? { description: p.description } : {}),
      schema: p.schema,
      ...(p.example !== undefined ? { example: p.example } : {}),
    }));
  }
  if (route.body) {
    const content = route.body.content ?? (route.body.schema ? { 'application/json': toJsonSchema(route.body.schema) } : undefined);
    if (!content) throw new Error(`route ${route.operationId} documents a body without a schema`);
    op.requestBody = {
      required: !route.body.optional,
      ...(route.body.description ? { description: route.body.description } : {}),
      content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema, example: route.body!.example }])),
    };
  }
  op.responses = { ...route.responses, ...pathParamResponses(route), ...scope.responses, ...AUTH_RESPONSES[route.auth] };
  return op;
}
