import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Health } from './health.js';
import { JSON_SECURITY_HEADERS } from './security-headers.js';

/**
 * The operations endpoints every process serves on its operations port (OPS_PORT), never on a
 * public API port: `/healthz` (the process is alive), `/readyz` (it can make progress: its
 * dependencies answer, with the reason of each failing one) and `/metrics`.
 * Returns false when the path is not one of them.
 */
export async function handleOpsRequest(req: http.IncomingMessage, res: http.ServerResponse, health: Health, metrics: Registry): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/healthz') {
    send(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/readyz') {
    const report = await health.report();
    send(res, report.ok ? 200 : 503, { status: report.ok ? 'ready' : 'not ready', checks: report.checks });
    return true;
  }
  if (path === '/metrics') {
    const body = await metrics.metrics();
    res.writeHead(200, { ...JSON_SECURITY_HEADERS, 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(body);
    return true;
  }
  return false;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...JSON_SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * The operations port of a process: probes and scrapers only, so few connections and short
 * timeouts (a scrape or probe that has not sent its headers in 10 s is not one).
 */
export async function startOpsServer(port: number, host: string, health: Health, metrics: Registry): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 10_000, connectionsCheckingInterval: 2_000 }, (req, res) => {
    handleOpsRequest(req, res, health, metrics)
      .then((handled) => {
        if (!handled) send(res, 404, { error: 'not found' });
      })
      .catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, { error: e instanceof Error ? e.message : 'internal error' });
      });
  });
  server.keepAliveTimeout = 5000;
  server.maxConnections = 256;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
