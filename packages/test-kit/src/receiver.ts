import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: unknown;
  webhookId: string | undefined;
  receivedAt: number;
  /** Result of checking the path's expected token / signature; undefined when nothing is expected. */
  verified?: boolean;
  status: number;
}

export interface PathBehavior {
  /** Status to answer (default 200). */
  status?: number;
  /** Answer `failStatus` this many times first, then `status`. */
  failTimes?: number;
  failStatus?: number;
  /** Wait before answering. */
  delayMs?: number;
  /** Expected value of a token header (name, value). */
  token?: { header: string; value: string };
  /** Expected bearer token in `authorization`, or a predicate (tokens issued by a token endpoint). */
  bearer?: string | ((token: string) => boolean);
  /** Standard Webhooks signing secret to verify `webhook-signature` with. */
  signingSecret?: string;
}

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** Requests per path. */
  at(path: string): Received[];
  /** Distinct `webhook-id` values seen (optionally for one path). */
  uniqueIds(path?: string): Set<string>;
  behave(path: string, behavior: PathBehavior): void;
  waitForRequests(n: number, opts?: { path?: string; timeoutMs?: number }): Promise<Received[]>;
  waitForUnique(n: number, opts?: { path?: string; timeoutMs?: number }): Promise<Set<string>>;
  close(): Promise<void>;
}

/** Verifies a Standard Webhooks signature header (`v1,<base64>` entries, space-separated). */
export function verifyStandardSignature(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return header.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * A real HTTP endpoint on loopback standing in for partners: it records every
 * request, counts deliveries by `webhook-id`, checks tokens and signatures, and can
 * be told to fail or answer slowly per path.
 */
export async function startReceiver(opts: { port?: number; host?: string } = {}): Promise<Receiver> {
  const requests: Received[] = [];
  const behaviors = new Map<string, PathBehavior>();
  const failuresLeft = new Map<string, number>();
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const raw = Buffer.concat(chunks).toString('utf8');
      const b = behaviors.get(path) ?? {};
      let status = b.status ?? 200;
      const left = failuresLeft.get(path) ?? b.failTimes ?? 0;
      if (left > 0) {
        failuresLeft.set(path, left - 1);
        status = b.failStatus ?? 500;
      }
      const webhookId = header(req.headers, 'webhook-id');
      let verified: boolean | undefined;
      if (b.token) verified = header(req.headers, b.token.header) === b.token.value;
      if (b.bearer) {
        const given = /^Bearer (.+)$/.exec(header(req.headers, 'authorization') ?? '')?.[1] ?? '';
        const ok = typeof b.bearer === 'string' ? given === b.bearer : b.bearer(given);
        verified = (verified ?? true) && ok;
      }
      if (b.signingSecret) {
        const ok = verifyStandardSignature(
          b.signingSecret,
          webhookId ?? '',
          header(req.headers, 'webhook-timestamp') ?? '',
          raw,
          header(req.headers, 'webhook-signature') ?? '',
        );
        verified = (verified ?? true) && ok;
      }
      if (verified === false && status < 300) status = 401;
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text
      }
      const answer = () => {
        requests.push({ path, headers: req.headers, raw, body, webhookId, receivedAt: Date.now(), verified, status });
        for (const w of waiters) w();
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ received: status < 300 }));
      };
      if (b.delayMs) setTimeout(answer, b.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const ok = (r: Received) => r.status < 300;
  const uniqueIds = (path?: string) =>
    new Set(requests.filter((r) => ok(r) && (!path || r.path === path) && r.webhookId).map((r) => r.webhookId!));
  const waitUntil = <T>(probe: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v !== undefined) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`receiver: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    at: (path) => requests.filter((r) => r.path === path),
    uniqueIds,
    behave(path, behavior) {
      behaviors.set(path, behavior);
      failuresLeft.delete(path);
    },
    waitForRequests(n, o = {}) {
      const list = () => requests.filter((r) => !o.path || r.path === o.path);
      return waitUntil(() => (list().length >= n ? list() : undefined), o.timeoutMs ?? 20_000, `${n} requests${o.path ? ` on ${o.path}` : ''} (have ${list().length})`);
    },
    waitForUnique(n, o = {}) {
      return waitUntil(() => {
        const ids = uniqueIds(o.path);
        return ids.size >= n ? ids : undefined;
      }, o.timeoutMs ?? 20_000, `${n} distinct webhook-ids${o.path ? ` on ${o.path}` : ''} (have ${uniqueIds(o.path).size})`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
