import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import got, { type Got, type Options, type RequestFunction } from 'got';
import { checkUrlHost, guardedLookup } from '../safety/endpoint-guard.js';
import { classifyRequestError, MAX_RESPONSE_READ_BYTES, RESPONSE_EXCERPT_BYTES, type HttpOutcome, type Timeouts } from './outcome.js';

/*
 * The control plane's HTTP client (the OAuth2 token exchange): got, for its phase timeouts and
 * hooks; a few calls per token lifetime, so its per-call cost does not matter. Calls to partner
 * endpoints go through delivery-client.ts (undici).
 */

/**
 * got's per-request option building was the worker's largest CPU item when got carried the
 * delivery path too; the two helpers below remove its avoidable part without changing what is
 * sent (measured together: client CPU per keep-alive POST at 32 in flight about 0.53 -> 0.36 ms
 * on Node 20).
 */

/**
 * Empties got's `cacheOptions` (read only when the `cache` option is set, which the worker never
 * sets). got builds each request's native options as `{ ...cacheOptions, ...unixOptions, <30 more
 * keys> }`; on Node 20's V8 a non-empty spread followed by that many new keys takes a slow path
 * of about 0.1 ms per request (and garbage). Spreading an empty object costs about 1 us. Each
 * request's options are cloned from the instance defaults, so they all inherit the empty object.
 */
function emptyCacheOptions(options: Options): void {
  const cacheOptions = options.cacheOptions as Record<string, unknown>;
  for (const key of Object.keys(cacheOptions)) delete cacheOptions[key];
}

/**
 * got hands node:http about 35 options, most of them `undefined`, which node copies three times
 * per request (ClientRequest, its options clone, the agent's merge). Passing only the defined
 * ones is what node sees when an option is not given at all; node's TLS defaults apply as they
 * would without got (for `rejectUnauthorized`, node already treated `undefined` as true).
 */
export const leanRequest: RequestFunction = (url, options, callback) => {
  const given = options as Record<string, unknown>;
  const defined: Record<string, unknown> = {};
  for (const key in given) if (given[key] !== undefined) defined[key] = given[key];
  return (url.protocol === 'https:' ? https : http).request(url, defined, callback);
};

export interface GotClientSettings {
  agents: { http: http.Agent; https: https.Agent };
  dnsLookup: LookupFunction;
  userAgent: string;
}

/** The control plane's got instance: no redirects, no automatic retries (retries go through Kafka), no HTTP errors thrown. */
export function createGotClient(settings: GotClientSettings): Got {
  const client = got.extend({
    followRedirect: false,
    throwHttpErrors: false,
    retry: { limit: 0 },
    decompress: true,
    agent: settings.agents,
    dnsLookup: settings.dnsLookup,
    request: leanRequest,
    headers: { 'user-agent': settings.userAgent },
    // Mutable only so that `emptyCacheOptions` can run; nothing changes the defaults afterwards.
    mutableDefaults: true,
  });
  emptyCacheOptions(client.defaults.options);
  return client;
}

/**
 * Control-plane HTTP client: keep-alive pools, no redirects, no automatic retries, the
 * destination checked by the endpoint guard at connect time (the token endpoint is a partner's
 * URL too).
 */
export class ControlPlaneClient {
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

  /**
   * POSTs and reports what happened; never throws. Without `maxAnswerBytes` the answer's first
   * 1 KiB is kept, like a delivery's excerpt; with it the answer is kept whole, and one longer
   * than that (after decompression) fails as `answer_too_large`.
   */
  async post(url: string, body: string | URLSearchParams, headers: Record<string, string>, timeouts: Timeouts, maxAnswerBytes?: number): Promise<HttpOutcome> {
    const startedAt = new Date();
    const t0 = performance.now();
    const done = (o: Omit<HttpOutcome, 'startedAt' | 'durationMs'>): HttpOutcome => ({ startedAt, durationMs: Math.round(performance.now() - t0), ...o });
    try {
      checkUrlHost(new URL(url), this.allowPrivate);
    } catch (e) {
      return done(classifyRequestError(e, timeouts));
    }
    const kept = maxAnswerBytes ?? RESPONSE_EXCERPT_BYTES;
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
      const answer = () => Buffer.concat(chunks).subarray(0, kept).toString('utf8');
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
        if (size < kept) chunks.push(chunk);
        size += chunk.length;
        if (maxAnswerBytes !== undefined && size > maxAnswerBytes) {
          finish({ statusCode, errorClass: 'answer_too_large', errorMessage: `answer larger than ${maxAnswerBytes} bytes` });
          stream.destroy();
        } else if (maxAnswerBytes === undefined && size > MAX_RESPONSE_READ_BYTES) {
          finish({ statusCode, body: answer() });
          stream.destroy();
        }
      });
      stream.on('end', () => finish({ statusCode, body: answer() }));
      stream.on('error', (e: unknown) => {
        // A response whose status arrived counts as that status even if its body broke off.
        if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) return finish({ statusCode, body: answer() });
        finish({ ...(statusCode !== undefined ? { statusCode } : {}), ...classifyRequestError(e, timeouts) });
      });
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
