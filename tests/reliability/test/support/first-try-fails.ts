import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Arrival times of the attempts of one delivery (`webhook-id`). */
export interface AttemptTimes {
  path: string;
  /** When each attempt was answered (ms since epoch). */
  answeredAt: number[];
}

/**
 * An endpoint that refuses (503) the first attempt of every delivery and accepts the
 * second: every delivery goes through exactly one retry, whose lateness is measured from
 * the moment the refusal was sent.
 */
export async function startFirstTryFailsReceiver(): Promise<{ url: string; attempts: Map<string, AttemptTimes>; close(): Promise<void> }> {
  const attempts = new Map<string, AttemptTimes>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '');
      const seen = attempts.get(id) ?? { path: (req.url ?? '/').split('?')[0]!, answeredAt: [] };
      attempts.set(id, seen);
      const status = seen.answeredAt.length === 0 ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}', () => seen.answeredAt.push(Date.now()));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
