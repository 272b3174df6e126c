import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body as text (decoded on first read). */
  readonly raw: string;
  /** The body parsed as JSON, or the text when it is not JSON (parsed on first read). */
  readonly body: unknown;
  webhookId: string | undefined;
  receivedAt: number;
  /** Set once the answer was sent; never set for a call left hanging. */
  answeredAt?: number;
  /** Result of checking the path's expected token / signature; undefined when nothing is expected. */
  verified?: boolean;
  /** The status answered (or to be answered). */
  status: number;
}

const UNREAD = Symbol('unread');
const RECEIVED = JSON.stringify({ received: true });
const NOT_RECEIVED = JSON.stringify({ received: false });

/**
 * A request as the receiver keeps it: the body's bytes, decoded and parsed only when something
 * reads `raw` or `body`. The bench keeps tens of thousands of these and reads the body of few
 * (the latency phases read `event_id`, the fan-out none), and a parsed 1 KB event is dozens of
 * objects the garbage collector would copy and promote; decoding and parsing every request was
 * the receiver's largest own cost in the fan-out (about a sixth of the bench process's CPU).
 */
class ReceivedRequest implements Received {
  private text: string | typeof UNREAD = UNREAD;
  private parsed: unknown = UNREAD;
  webhookId: string | undefined;
  answeredAt?: number;
  verified?: boolean;
  status = 200;

  constructor(
    readonly path: string,
    readonly headers: http.IncomingHttpHeaders,
    private readonly bytes: Buffer,
    readonly receivedAt: number,
  ) {
    this.webhookId = header(headers, 'webhook-id');
  }

  get raw(): string {
    if (this.text === UNREAD) this.text = this.bytes.toString('utf8');
    return this.text;
  }

  get body(): unknown {
    if (this.parsed === UNREAD) {
      try {
        this.parsed = JSON.parse(this.raw);
      } catch {
        this.parsed = this.raw; // kept as text
      }
    }
    return this.parsed;
  }
}

/** How to answer one request, decided by a `respond` function. */
export interface Reply {
  status?: number;
  delayMs?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer: the sender's timeout ends the call. */
  hang?: boolean;
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

export interface ReceiverOptions {
  port?: number;
  host?: string;
  /**
   * Decides the answer to each request (`n` counts from 1); undefined falls back to the
   * path's behaviour. For tests that answer by header, by call count, or not at all.
   */
  respond?: (req: Received, n: number) => Reply | undefined;
  /** Largest request head accepted (node's default, 16 KiB, answers 431 above it): large bearer tokens need more. */
  maxHeaderSize?: number;
}

export interface Receiver {
  url: string;
  port: number;
  /** Every request in arrival order, answered or not. */
  requests: Received[];
  /** Every request carrying this `webhook-id`, answered or not. */
  byId(id: string): Received[];
  /** Answered requests on a path. */
  at(path: string): Received[];
  /** Distinct `webhook-id` values answered with a 2xx (optionally for one path). */
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
export async function startReceiver(opts: ReceiverOptions = {}): Promise<Receiver> {
  const requests: Received[] = [];
  const behaviors = new Map<string, PathBehavior>();
  const failuresLeft = new Map<string, number>();
  const waiters = new Set<() => void>();
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer({ maxHeaderSize: opts.maxHeaderSize ?? 16 * 1024 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      // A copy even of a single chunk: a chunk may be a slice of a larger socket buffer, which kept would stay alive with it.
      const rec = new ReceivedRequest(path, req.headers, Buffer.concat(chunks), Date.now());
      requests.push(rec);
      const reply = opts.respond?.(rec, requests.length) ?? behave(path, rec);
      rec.status = reply.status ?? 200;
      if (reply.hang) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const answer = () => {
        res.writeHead(rec.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body ?? (rec.status < 300 ? RECEIVED : NOT_RECEIVED));
        rec.answeredAt = Date.now();
        for (const w of waiters) w();
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });

  /** The path's configured behaviour: failures first, then token and signature checks. */
  function behave(path: string, rec: Received): Reply {
    const b = behaviors.get(path) ?? {};
    let status = b.status ?? 200;
    const left = failuresLeft.get(path) ?? b.failTimes ?? 0;
    if (left > 0) {
      failuresLeft.set(path, left - 1);
      status = b.failStatus ?? 500;
    }
    if (b.token) rec.verified = header(rec.headers, b.token.header) === b.token.value;
    if (b.bearer) {
      const given = /^Bearer (.+)$/.exec(header(rec.headers, 'authorization') ?? '')?.[1] ?? '';
      const ok = typeof b.bearer === 'string' ? given === b.bearer : b.bearer(given);
      rec.verified = (rec.verified ?? true) && ok;
    }
    if (b.signingSecret) {
      const ok = verifyStandardSignature(
        b.signingSecret,
        rec.webhookId ?? '',
        header(rec.headers, 'webhook-timestamp') ?? '',
        rec.raw,
        header(rec.headers, 'webhook-signature') ?? '',
      );
      rec.verified = (rec.verified ?? true) && ok;
    }
    if (rec.verified === false && status < 300) status = 401;
    return { status, delayMs: b.delayMs };
  }
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const answered = (path?: string) => requests.filter((r) => r.answeredAt !== undefined && (!path || r.path === path));
  const uniqueIds = (path?: string) =>
    new Set(
      answered(path)
        .filter((r) => r.status < 300 && r.webhookId)
        .map((r) => r.webhookId!),
    );
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
    byId: (id) => requests.filter((r) => r.webhookId === id),
    at: (path) => answered(path),
    uniqueIds,
    behave(path, behavior) {
      behaviors.set(path, behavior);
      failuresLeft.delete(path);
    },
    waitForRequests(n, o = {}) {
      const list = () => answered(o.path);
      return waitUntil(
        () => (list().length >= n ? list() : undefined),
        o.timeoutMs ?? 20_000,
        `${n} requests${o.path ? ` on ${o.path}` : ''} (have ${list().length})`,
      );
    },
    waitForUnique(n, o = {}) {
      return waitUntil(
        () => {
          const ids = uniqueIds(o.path);
          return ids.size >= n ? ids : undefined;
        },
        o.timeoutMs ?? 20_000,
        `${n} distinct webhook-ids${o.path ? ` on ${o.path}` : ''} (have ${uniqueIds(o.path).size})`,
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
