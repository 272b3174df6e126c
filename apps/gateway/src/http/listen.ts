import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerMalformedRequests } from './client-error.js';

export interface ListenOptions {
  /** Connections held at once; the next one is closed on arrival (Node's `drop`). */
  maxConnections: number;
  onDrop?: () => void;
}

/**
 * Starts the HTTP server of the API port.
 * - Keep-alive sits above common load balancers' idle timeouts (60 s), so the balancer, not
 *   the gateway, closes idle connections and never sends on one the gateway just closed.
 * - Slow clients (slowloris) hold a connection at most 20 s before their headers are complete
 *   (a connection that sends nothing included) and 60 s for a whole request; Node checks every
 *   5 s. With the connection cap this bounds what a few slow clients can take from the others.
 */
export async function listen(
  app: RequestListener,
  port: number,
  host: string,
  opts: ListenOptions,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer({ headersTimeout: 20_000, requestTimeout: 60_000, connectionsCheckingInterval: 5_000 }, app);
  server.keepAliveTimeout = 65_000;
  server.maxConnections = opts.maxConnections;
  if (opts.onDrop) server.on('drop', opts.onDrop);
  answerMalformedRequests(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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
