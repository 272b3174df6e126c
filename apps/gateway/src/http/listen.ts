import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { answerMalformedRequests } from './client-error.js';

/**
 * Starts the HTTP server. Timeouts sit above common load balancers' idle timeouts (60 s), so
 * the balancer, not the gateway, closes idle keep-alive connections and never sends on one
 * the gateway just closed.
 */
export async function listen(app: Express, port: number, host: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  answerMalformedRequests(server);
  return {
    server,
    port: (server.address() as AddressInfo).port,
    // Stops taking requests and finishes those in flight.
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections();
      }),
  };
}
