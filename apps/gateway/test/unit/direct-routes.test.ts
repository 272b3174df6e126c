import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_SECURITY_HEADERS, prom } from '@hookstream/service-kit';
import express from 'express';
import { AuthFailureThrottle } from '../../src/auth/auth-throttle.js';
import type { KeyOwner } from '../../src/auth/tenant-auth.js';
import { InvalidInput } from '../../src/domain/errors.js';
import type { GatewayDeps } from '../../src/http/context.js';
import { directRoutes } from '../../src/http/direct-routes.js';
import { errorMiddleware } from '../../src/http/errors.js';
import { writeJson } from '../../src/http/json-reply.js';
import { createGatewayMetrics, requestMetrics } from '../../src/http/metrics.js';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { mountRoutes } from '../../src/http/router.js';
import type { Route } from '../../src/http/routes/route.js';

const KEY = `hs_${'a'.repeat(43)}`;
const READ_ONLY_KEY = `hs_${'b'.repeat(43)}`;
const owners: Record<string, KeyOwner> = {
  [KEY]: { keyId: 'k1', tenant: { id: 't1', name: 'acme' }, scopes: ['publish'] },
  [READ_ONLY_KEY]: { keyId: 'k2', tenant: { id: 't1', name: 'acme' }, scopes: ['read'] },
};

/** A direct tenant route: echoes the tenant, refuses `{"bad": ...}` with a JSON path, and fails on `{"boom": ...}`. */
const echo: Route = {
  method: 'post',
  path: '/v1/echo',
  direct: true,
  auth: 'tenant',
  scope: 'publish',
  tag: 'Events',
  operationId: 'echo',
  summary: 'echo',
  responses: {},
  async handler(req, res, { tenant }) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    if ('bad' in body) throw new InvalidInput('invalid event', [{ path: '/data/bad', message: 'must be a string', rule: 'type' }]);
    if ('boom' in body) throw new Error('driver said: password=hunter2');
    writeJson(res, 202, { tenant: tenant.id });
  },
};
const open: Route = { ...echo, path: '/v1/open', operationId: 'open', direct: undefined } as Route;

function fakeDeps(registry: prom.Registry): GatewayDeps {
  return {
    logger: { error: () => undefined },
    metrics: createGatewayMetrics(registry),
    auth: { authenticate: async (key: string | undefined) => (key ? owners[key] : undefined) },
    authThrottle: new AuthFailureThrottle({ limit: 1000, windowMs: 60_000, maxAddresses: 10 }),
    rateLimiter: new RateLimiter(1000, 1000),
    settings: { publicUrl: 'https://hookstream.test', apiBodyMaxBytes: 1024 },
  } as unknown as GatewayDeps;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const r = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const out: Record<string, string> = {};
  r.headers.forEach((v, k) => {
    if (k !== 'date') out[k] = v;
  });
  return { status: r.status, headers: out, body: await r.text() };
}

describe('direct routes (served before Express)', () => {
  const registry = new prom.Registry();
  const deps = fakeDeps(registry);
  let direct: { server: Server; base: string };
  let viaExpress: { server: Server; base: string };
  let taken: string[];

  beforeAll(async () => {
    const dispatch = directRoutes([echo, open], deps, {} as never, {});
    taken = [];
    direct = await serve((req, res) => {
      if (dispatch(req, res)) taken.push(`${req.method} ${req.url}`);
      else writeJson(res, 599, { error: 'fell through' });
    });
    // The same route served by Express as the rest of the API is (app.ts' middleware order).
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use((_req, res, next) => {
      for (const [name, value] of Object.entries(JSON_SECURITY_HEADERS)) res.setHeader(name, value);
      next();
    });
    app.use(requestMetrics(createGatewayMetrics(new prom.Registry())));
    mountRoutes(app, [{ ...echo, direct: undefined } as Route], deps, {} as never, {});
    app.use(errorMiddleware(deps.logger));
    viaExpress = await serve(app);
  });
  afterAll(async () => {
    for (const s of [direct.server, viaExpress.server]) await new Promise<void>((r) => s.close(() => r()));
  });

  it('takes exactly its method and path (a query string allowed); everything else is left to Express', async () => {
    for (const [method, path] of [
      ['POST', '/v1/echo'],
      ['POST', '/v1/echo?x=1'],
    ])
      expect((await call(direct.base, method!, path!, { authorization: `Bearer ${KEY}` }, '{}')).status).toBe(202);
    for (const [method, path] of [
      ['POST', '/v1/echo/'],
      ['POST', '/V1/ECHO'],
      ['GET', '/v1/echo'],
      ['PUT', '/v1/echo'],
      ['POST', '/v1/open'],
      ['POST', '/v1/echo/more'],
    ])
      expect([method, path, (await call(direct.base, method!, path!, { authorization: `Bearer ${KEY}` }, method === 'GET' ? undefined : '{}')).status]).toEqual(
        [method, path, 599],
      );
    expect(taken).toEqual(['POST /v1/echo', 'POST /v1/echo?x=1']);
  });

  it('answers every outcome byte for byte as the route answers through Express: headers, status and JSON body', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ authorization: `Bearer ${KEY}` }, '{}'],
      [{}, '{}'],
      [{ authorization: 'Bearer nope' }, '{}'],
      [{ authorization: `Bearer hs_${'c'.repeat(43)}` }, '{}'],
      [{ authorization: `Bearer ${READ_ONLY_KEY}` }, '{}'],
      [{ authorization: `Bearer ${KEY}` }, '{"bad":1}'],
      [{ authorization: `Bearer ${KEY}` }, '{"boom":1}'],
    ];
    for (const [headers, body] of cases) {
      const a = await call(direct.base, 'POST', '/v1/echo', headers, body);
      const b = await call(viaExpress.base, 'POST', '/v1/echo', headers, body);
      expect({ case: [headers, body], ...a }).toEqual({ case: [headers, body], ...b });
    }
    const refused = await call(direct.base, 'POST', '/v1/echo', { authorization: `Bearer ${KEY}` }, '{"bad":1}');
    expect(JSON.parse(refused.body)).toEqual({ error: 'invalid event', details: [{ path: '/data/bad', message: 'must be a string', rule: 'type' }] });
    const failed = await call(direct.base, 'POST', '/v1/echo', { authorization: `Bearer ${KEY}` }, '{"boom":1}');
    expect([failed.status, failed.body]).toEqual([500, JSON.stringify({ error: 'internal error; the request was not completed' })]);
    expect(failed.headers['content-security-policy']).toBe(JSON_SECURITY_HEADERS['content-security-policy']);
  });

  it('counts each request under its route template, method and status, and times it', async () => {
    const before = await registry.getSingleMetricAsString('hookstream_gateway_http_requests_total');
    await call(direct.base, 'POST', '/v1/echo?x=2', { authorization: `Bearer ${KEY}` }, '{}');
    await call(direct.base, 'POST', '/v1/echo', {}, '{}');
    const text = await registry.getSingleMetricAsString('hookstream_gateway_http_requests_total');
    const count = (t: string, status: number) =>
      Number(new RegExp(`requests_total\\{route="/v1/echo",method="POST",status="${status}"\\} (\\d+)`).exec(t)?.[1] ?? 0);
    expect(count(text, 202) - count(before, 202)).toBe(1);
    expect(count(text, 401) - count(before, 401)).toBe(1);
    expect(await registry.getSingleMetricAsString('hookstream_gateway_http_request_duration_seconds')).toMatch(
      /duration_seconds_count\{route="\/v1\/echo",method="POST"\} [1-9]/,
    );
  });

  it('refuses a direct route that has path parameters (they are Express matching)', () => {
    expect(() => directRoutes([{ ...echo, path: '/v1/echo/{id}' } as Route], deps, {} as never, {})).toThrow(/path parameter/);
  });
});
