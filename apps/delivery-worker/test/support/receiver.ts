import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** Set once our response was sent. */
  answeredAt?: number;
}

export interface Reply {
  status?: number;
  delayMs?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (the worker's timeout ends the call). */
  hang?: boolean;
}

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** Requests whose `webhook-id` is `id`. */
  byId(id: string): Received[];
  close(): Promise<void>;
}

/** A real HTTP endpoint on 127.0.0.1 that records every request and answers as `reply` says. */
export async function startReceiver(reply: (req: Received, n: number) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  const requests: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const rec: Received = { at: Date.now(), headers: req.headers, body, json };
      requests.push(rec);
      const r = reply(rec, requests.length);
      if (r.hang) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      setTimeout(() => {
        res.writeHead(r.status ?? 200, { 'content-type': 'text/plain', ...r.headers });
        res.end(r.body ?? 'ok');
        rec.answeredAt = Date.now();
      }, r.delayMs ?? 0);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    byId: (id) => requests.filter((r) => r.headers['webhook-id'] === id),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
