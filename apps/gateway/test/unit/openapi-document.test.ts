import { Validator } from '@seriousme/openapi-schema-validator';
import type { Express } from 'express';
import { createApp } from '../../src/http/app.js';
import type { GatewayDeps } from '../../src/http/context.js';
import { ROUTES } from '../../src/http/routes/index.js';
import { expressPath, TAGS } from '../../src/http/routes/route.js';
import { openApiDocument } from '../../src/openapi/document.js';

const settings = { publicUrl: 'https://hookstream.test', eventMaxBytes: 65_536, batchMaxEvents: 100, dedupWindowS: 86_400 };

// Building the app touches none of its collaborators: only the settings are read.
const deps = {
  logger: { error: () => undefined },
  settings: { ...settings, adminToken: 'admin', batchMaxBytes: 1_000_000, apiBodyMaxBytes: 65_536 },
} as unknown as GatewayDeps;
const ops = {} as Parameters<typeof createApp>[1];

const METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'];
// The swagger-ui page that shows the document: HTML for people, not an operation of the API.
// Likewise the partner portal and the operator console (apps/gateway/src/http/web-ui.ts): pages, not operations.
const DOCS_PAGE = ['GET /docs', 'GET /docs/', 'GET /docs/init.js', 'GET /portal', 'GET /portal/{rest}', 'GET /console', 'GET /console/{rest}'];

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD path` Express routes, in OpenAPI path syntax (`:id` and `*id` become `{id}`). */
function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all')) {
          for (const p of paths) out.push(`${method.toUpperCase()} ${p.replace(/[:*]([A-Za-z]+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

function documentedRoutes(document: Record<string, unknown>): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((k) => METHODS.includes(k))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

describe('OpenAPI document generated from the route table', () => {
  const document = openApiDocument(ROUTES, settings);

  it('documents exactly the routes Express serves, in both directions', () => {
    const served = registeredRoutes(createApp(deps, ops));
    const documented = documentedRoutes(document);
    expect(served.length).toBeGreaterThan(15);
    expect(served.filter((r) => !DOCS_PAGE.includes(r)).sort()).toEqual([...documented].sort());
    expect(served).toEqual(expect.arrayContaining(DOCS_PAGE));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('renders in swagger-ui without a dialect warning: no jsonSchemaDialect other than the default', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document).not.toHaveProperty('jsonSchemaDialect');
    expect(JSON.stringify(document)).not.toContain('"$schema"');
  });

  it('groups every operation under a declared resource tag, with an operation id, a summary and an example request', () => {
    const tags = (document.tags as Array<{ name: string }>).map((t) => t.name);
    expect(tags).toEqual(Object.keys(TAGS));
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Record<string, any>>>)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect([where, op.tags?.length === 1 && tags.includes(op.tags[0])]).toEqual([where, true]);
        expect([where, typeof op.summary === 'string' && op.summary.length > 0]).toEqual([where, true]);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        // Every path parameter and every body carries the example a reader can send as is.
        const pathParams = (op.parameters ?? []).filter((p: { in: string }) => p.in === 'path');
        expect([where, pathParams.every((p: { example?: unknown }) => p.example !== undefined)]).toEqual([where, true]);
        expect([where, pathParams.map((p: { name: string }) => `{${p.name}}`).sort()]).toEqual([where, (path.match(/\{[A-Za-z]+\}/g) ?? []).sort()]);
        for (const media of Object.values((op.requestBody?.content ?? {}) as Record<string, { example?: unknown }>)) {
          expect([where, media.example !== undefined]).toEqual([where, true]);
        }
      }
    }
    expect(Object.keys(document.paths as object)).not.toContain('default');
  });

  it('declares per route who may call it: no credentials for operations, the admin token for tenants, an API key for the rest', () => {
    const paths = document.paths as Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    expect(paths['/healthz']!.get!.security).toEqual([]);
    expect(paths['/v1/tenants']!.post!.security).toEqual([{ admin: [] }]);
    expect(paths['/v1/tenants']!.post!.responses['503']).toBeDefined();
    // A tenant route names the scope its API key needs (Issue 17.1).
    expect(paths['/v1/webhooks']!.get!.security).toEqual([{ apiKey: ['read'] }]);
    expect(document.security).toEqual([{ apiKey: [] }]);
    expect(paths['/v1/webhooks']!.get!.responses['429']).toBeDefined();
    expect(paths['/healthz']!.get!.responses['401']).toBeUndefined();
  });

  it('turns path templates into Express paths, wildcards for names that may hold slashes', () => {
    expect(expressPath({ path: '/v1/webhooks/{id}/enable' })).toBe('/v1/webhooks/:id/enable');
    expect(expressPath({ path: '/v1/secrets/{name}', wildcard: ['name'] })).toBe('/v1/secrets/*name');
  });

  it('quotes the configured limits in the descriptions', () => {
    const paths = document.paths as Record<string, Record<string, { summary: string; description?: string }>>;
    expect(paths['/v1/events/batch']!.post!.summary).toBe('Publish up to 100 CloudEvents');
    expect(paths['/v1/events']!.post!.description).toContain('within 86400 s');
  });
});
