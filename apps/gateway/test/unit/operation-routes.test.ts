import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Health, prom } from '@hookstream/service-kit';
import { createApp } from '../../src/http/app.js';
import type { GatewayDeps } from '../../src/http/context.js';
import { createGatewayMetrics } from '../../src/http/metrics.js';

const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

async function serve(health: Health): Promise<{ server: Server; base: string }> {
  const registry = new prom.Registry();
  const deps = {
    logger: { error: () => undefined },
    metrics: createGatewayMetrics(registry),
    settings: { publicUrl: 'https://hookstream.test', eventMaxBytes: 1024, batchMaxEvents: 10, dedupWindowS: 60, apiBodyMaxBytes: 1024 },
  } as unknown as GatewayDeps;
  const app = createApp(deps, { health, registry });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function expectSecurityHeaders(r: Response, csp = JSON_CSP): void {
  expect({
    csp: r.headers.get('content-security-policy'),
    nosniff: r.headers.get('x-content-type-options'),
    referrer: r.headers.get('referrer-policy'),
    frame: r.headers.get('x-frame-options'),
    poweredBy: r.headers.get('x-powered-by'),
  }).toEqual({ csp, nosniff: 'nosniff', referrer: 'no-referrer', frame: 'DENY', poweredBy: null });
}

describe('operation routes of the route table', () => {
  let server: Server;
  let base: string;
  const health = new Health();

  beforeAll(async () => {
    ({ server, base } = await serve(health));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers a bare /healthz and the document without credentials', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(((await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('#16.12: serves neither /metrics nor /readyz on the API port (they are on OPS_PORT)', async () => {
    for (const path of ['/metrics', '/readyz']) {
      const r = await fetch(`${base}${path}`);
      expect([path, r.status]).toEqual([path, 404]);
      expect(await r.text()).not.toMatch(/process_cpu|kafka|postgres/);
    }
  });

  it('answers a JSON 404 for paths the ops handler does not take (trailing slash, other case) instead of hanging', async () => {
    for (const path of ['/healthz/', '/HEALTHZ', '/readyz/']) {
      const r = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
      expect([path, r.status]).toEqual([path, 404]);
      expect(await r.json()).toEqual({ error: `no route for GET ${path}` });
    }
  });

  it('#16.12: sends the security headers on JSON answers, error answers and the /docs page', async () => {
    expectSecurityHeaders(await fetch(`${base}/healthz`));
    expectSecurityHeaders(await fetch(`${base}/openapi.json`));
    expectSecurityHeaders(await fetch(`${base}/no/such/path`));
    const docs = await fetch(`${base}/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    // swagger-ui: its own scripts only (no inline script), inline styles it applies itself,
    // its data: icons, the document and "try it out" calls to this origin or the public URL.
    expectSecurityHeaders(
      docs,
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' https://hookstream.test; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(await (await fetch(`${base}/docs/init.js`)).text()).toContain('validatorUrl: null');
  });
});

describe('the bare /healthz of the API port', () => {
  it('#16.12: answers 503 without detail when a dependency fails or the process stops', async () => {
    const health = new Health();
    let down = false;
    health.add('postgres', async () => {
      if (down) throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
    });
    const { server, base } = await serve(health);
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      down = true;
      await new Promise((r) => setTimeout(r, 1100)); // past the readiness cache
      const r = await fetch(`${base}/healthz`);
      expect(r.status).toBe(503);
      const text = await r.text();
      expect(JSON.parse(text)).toEqual({ status: 'unavailable' });
      expect(text).not.toMatch(/postgres|10\.1\.2\.3/);
      down = false;
      health.markStopping();
      expect((await fetch(`${base}/healthz`)).status).toBe(503);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
