import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP forwarder whose link can be cut: the stand-in for a dependency that goes away. */
export interface TcpProxy {
  port: number;
  /** host:port to give clients instead of the target's. */
  address: string;
  /** Connections forwarded since the proxy started. */
  readonly connections: number;
  readonly isUp: boolean;
  /** Closes the listener and destroys every open connection: new connections are refused. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Forwards a local port to `target`. "Down" is an outage as clients see it when a server
 * dies: established connections break and connecting is refused (nothing listens), so the
 * clients' own reconnect logic is what is tested.
 */
export async function startTcpProxy(target: { host: string; port: number }, opts: { port?: number } = {}): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let count = 0;
  let server: net.Server | undefined;
  let port = opts.port ?? 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        count++;
        const upstream = net.connect(target);
        open.add(client);
        open.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      for (const sock of open) sock.destroy();
      open.clear();
      if (!s) return resolve();
      s.close(() => resolve());
    });

  await listen();
  return {
    get port() {
      return port;
    },
    get address() {
      return `127.0.0.1:${port}`;
    },
    get connections() {
      return count;
    },
    get isUp() {
      return server !== undefined;
    },
    down: stop,
    async up() {
      if (!server) await listen();
    },
    close: stop,
  };
}
