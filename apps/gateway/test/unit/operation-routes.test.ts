import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Health, prom } from '@hookstream/service-kit';
import { createApp } from '../../src/http/app.js';
import type { GatewayDeps } from '../../src/http/context.js';
import { createGatewayMetrics } from '../../src/http/metrics.js';

describe('operation routes of the route table', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const registry = new prom.Registry();
    const deps = {
      logger: { error: () => undefined },
      metrics: createGatewayMetrics(registry),
      settings: { publicUrl: 'https://hookstream.test', eventMaxBytes: 1024, batchMaxEvents: 10, dedupWindowS: 60, apiBodyMaxBytes: 1024 },
    } as unknown as GatewayDeps;
    const app = createApp(deps, { health: new Health(), registry });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers the ops endpoints and the document without credentials', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect(((await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('answers a JSON 404 for paths the ops handler does not take (trailing slash, other case) instead of hanging', async () => {
    for (const path of ['/healthz/', '/HEALTHZ', '/readyz/']) {
      const r = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
      expect([path, r.status]).toEqual([path, 404]);
      expect(await r.json()).toEqual({ error: `no route for GET ${path}` });
    }
  });
});
