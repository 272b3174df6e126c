import { API_KEY_SCOPES } from '@hookstream/schemas';
import { pathParamProblem } from '../../src/http/path-params.js';
import { ROUTES } from '../../src/http/routes/index.js';
import { openApiDocument } from '../../src/openapi/document.js';

const settings = { publicUrl: 'https://hookstream.test', eventMaxBytes: 65_536, batchMaxEvents: 100, dedupWindowS: 86_400 };

/**
 * Issue 17.1: every route of the one route table says which API key scope it needs, so a route
 * added later without one fails here (the Route type also requires it on tenant routes).
 */
describe('route scopes and path parameters (Jive status codes)', () => {
  const document = openApiDocument(ROUTES, settings) as { paths: Record<string, Record<string, Record<string, any>>> };
  const op = (r: (typeof ROUTES)[number]) => document.paths[r.path]![r.method]!;

  it('every tenant route declares a known scope; no admin or open route has one', () => {
    for (const r of ROUTES) {
      if (r.auth === 'tenant') expect([r.operationId, API_KEY_SCOPES.includes(r.scope)]).toEqual([r.operationId, true]);
      else expect([r.operationId, r.scope]).toEqual([r.operationId, undefined]);
    }
  });

  // A GET that answers a credential (the webhook's HMAC signing secret, issue 18.1) needs manage:
  // a read-only key (a dashboard, a support tool) must not be able to forge deliveries.
  const CREDENTIAL_READS = new Set(['getWebhookSigningSecret']);
  // A POST that only evaluates what a GET already shows and changes nothing is a read (issue 19.1's filter test).
  const READ_ONLY_POSTS = new Set(['testWebhookFilter']);

  it('publishing needs publish, every GET of a tenant needs read (manage for a credential), every change needs manage', () => {
    for (const r of ROUTES.filter((x) => x.auth === 'tenant')) {
      const read = CREDENTIAL_READS.has(r.operationId) ? 'manage' : 'read';
      const expected =
        r.path.startsWith('/v1/events') && r.method === 'post' ? 'publish' : r.method === 'get' || READ_ONLY_POSTS.has(r.operationId) ? read : 'manage';
      expect(`${r.method.toUpperCase()} ${r.path} ${r.scope}`).toBe(`${r.method.toUpperCase()} ${r.path} ${expected}`);
    }
  });

  it('the OpenAPI document shows each scope (x-hookstream-scope, security, description) and the 403 of every tenant route', () => {
    for (const r of ROUTES.filter((x) => x.auth === 'tenant')) {
      const o = op(r);
      expect([r.operationId, o['x-hookstream-scope'], o.security, o.responses['403']?.description]).toEqual([
        r.operationId,
        r.scope,
        [{ apiKey: [r.scope] }],
        expect.stringContaining(r.scope),
      ]);
      expect(o.description).toContain(`\`${r.scope}\` scope`);
    }
  });

  it('every route with a path parameter checks it and documents its 400; ids are UUIDs', () => {
    const withParams = ROUTES.filter((r) => r.path.includes('{'));
    expect(withParams.length).toBeGreaterThan(10);
    for (const r of withParams) {
      const names = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect([r.operationId, (r.params ?? []).filter((p) => p.in === 'path').map((p) => p.name)]).toEqual([r.operationId, names]);
      expect([r.operationId, op(r).responses['400']?.description]).toEqual([r.operationId, expect.stringContaining('/path/')]);
      for (const p of (r.params ?? []).filter((x) => x.in === 'path')) {
        expect([r.operationId, p.name, pathParamProblem(p, '')]).toEqual([r.operationId, p.name, expect.objectContaining({ path: `/path/${p.name}` })]);
      }
    }
    const webhookId = ROUTES.find((r) => r.operationId === 'getWebhook')!.params!.find((p) => p.name === 'id')!;
    expect(pathParamProblem(webhookId, 'not-a-uuid')).toEqual({ path: '/path/id', message: expect.stringMatching(/UUID/), rule: 'format' });
    expect(pathParamProblem(webhookId, '3f2c9a4e-8d1b-4c7e-9a60-2b5d7e1f0c84')).toBeUndefined();
  });
});
