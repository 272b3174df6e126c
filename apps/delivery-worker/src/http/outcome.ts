import http from 'node:http';
import https from 'node:https';
import type { Got } from 'got';
import { createGotClient } from './got-client.js';
import { checkLiteralHost, EndpointRefusedError, guardedLookup } from '../safety/endpoint-guard.js';

/** Bytes of a partner's response kept in the audit. */
export const RESPONSE_EXCERPT_BYTES = 1024;
// Reading stops here: a partner's huge response must not cost us memory or time.
const MAX_RESPONSE_READ_BYTES = 64 * 1024;

export interface Timeouts {
  /** DNS + TCP + TLS. */
  connectMs: number;
  /** Silence allowed on the socket while waiting for or reading the response (undefined: only `totalMs`). */
  readMs?: number;
  /** The whole exchange: a 2xx must have arrived by then. */
  totalMs: number;
}

export interface HttpOutcome {
  startedAt: Date;
  durationMs: number;
  statusCode?: number;
  /** First bytes of the response body, UTF-8. */
  body?: string;
  /** Set when no response came: `timeout:connect`, `connection_refused`, `endpoint_refused`, ... */
  errorClass?: string;
  errorMessage?: string;
}

interface GotLikeError {
  code?: string;
  name?: string;
  message?: string;
  event?: string;
  cause?: unknown;
}

/** Our error class and a message that names no URL (URLs may carry credentials). */
export function classifyRequestError(e: unknown, timeouts: Timeouts): { errorClass: string; errorMessage: string } {
  const err = (e ?? {}) as GotLikeError;
  const cause = err.cause as GotLikeError | undefined;
  if (e instanceof EndpointRefusedError) return { errorClass: 'endpoint_refused', errorMessage: e.message };
  if (cause instanceof EndpointRefusedError) return { errorClass: 'endpoint_refused', errorMessage: cause.message };
  const code = err.code ?? cause?.code;
  if (err.name === 'TimeoutError' || code === 'ETIMEDOUT') {
    const ev = err.event ?? 'request';
    if (ev === 'lookup' || ev === 'connect' || ev === 'secureConnect') {
      return { errorClass: 'timeout:connect', errorMessage: `no connection within ${timeouts.connectMs} ms (${ev})` };
    }
    if (ev === 'socket' && timeouts.readMs !== undefined) {
      return { errorClass: 'timeout:read', errorMessage: `no data from the endpoint for ${timeouts.readMs} ms` };
    }
    return { errorClass: 'timeout', errorMessage: `no response within ${timeouts.totalMs} ms` };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { errorClass: 'connection_refused', errorMessage: 'connection refused' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { errorClass: 'connection_reset', errorMessage: 'connection reset by the endpoint' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { errorClass: 'dns', errorMessage: `host name did not resolve (${code})` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { errorClass: 'unreachable', errorMessage: `host unreachable (${code})` };
    default:
      break;
  }
  if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))) {
    return { errorClass: 'tls', errorMessage: `TLS error (${code})` };
  }
  return { errorClass: 'network', errorMessage: `request failed${code ? ` (${code})` : ''}` };
}

/**
 * HTTP client of the worker: keep-alive pools, no redirects, no automatic retries (retries go
 * through Kafka), every destination checked by the endpoint guard at connect time.
 */
export class HttpSender {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });
  private readonly client: Got;

  constructor(
    private readonly allowPrivate: boolean,
    readonly userAgent: string,
  ) {
    this.client = createGotClient({
      agents: { http: this.httpAgent, https: this.httpsAgent },
      dnsLookup: guardedLookup(allowPrivate),
      userAgent,
    });
  }

  /** POSTs and reports what happened; never throws. */
  async post(url: string, body: string | URLSearchParams, headers: Record<string, string>, timeouts: Timeouts): Promise<HttpOutcome> {
    const startedAt = new Date();
    const t0 = performance.now();
    const done = (o: Omit<HttpOutcome, 'startedAt' | 'durationMs'>): HttpOutcome => ({ startedAt, durationMs: Math.round(performance.now() - t0), ...o });
    try {
      checkLiteralHost(new URL(url), this.allowPrivate);
    } catch (e) {
      return done(classifyRequestError(e, timeouts));
    }
    return new Promise<HttpOutcome>((resolve) => {
      let settled = false;
      let statusCode: number | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (o: Omit<HttpOutcome, 'startedAt' | 'durationMs'>) => {
        if (settled) return;
        settled = true;
        resolve(done(o));
      };
      const excerpt = () => Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
      const stream = this.client.stream.post(url, {
        ...(typeof body === 'string' ? { body } : { form: Object.fromEntries(body) }),
        headers,
        timeout: {
          lookup: timeouts.connectMs,
          connect: timeouts.connectMs,
          secureConnect: timeouts.connectMs,
          ...(timeouts.readMs !== undefined ? { socket: timeouts.readMs } : {}),
          request: timeouts.totalMs,
        },
      });
      stream.on('response', (res: { statusCode: number }) => {
        statusCode = res.statusCode;
      });
      stream.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size > MAX_RESPONSE_READ_BYTES) {
          finish({ statusCode, body: excerpt() });
          stream.destroy();
        }
      });
      stream.on('end', () => finish({ statusCode, body: excerpt() }));
      stream.on('error', (e: unknown) => {
        // A response whose status arrived counts as that status even if its body broke off.
        if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) return finish({ statusCode, body: excerpt() });
        finish({ ...(statusCode !== undefined ? { statusCode } : {}), ...classifyRequestError(e, timeouts) });
      });
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
