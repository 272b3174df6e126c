import type { IncomingHttpHeaders } from 'node:http';
import zlib from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
import { checkUrlHost, guardedLookup } from '../safety/endpoint-guard.js';
import { CallTimeoutError, classifyRequestError, MAX_RESPONSE_READ_BYTES, RESPONSE_EXCERPT_BYTES, type HttpOutcome, type Timeouts } from './outcome.js';

/*
 * The delivery path's HTTP client: every call to a partner's endpoint. undici, through its Agent
 * (one Pool per origin) and its dispatch API, because the client's CPU per request is most of the
 * worker's CPU per delivery: got (stream) costs 0.43 ms per keep-alive POST on this machine,
 * undici 0.064 ms (docs/performance.md, "HTTP client of the delivery path"). The handler below
 * reads the response without a stream and keeps only what the audit needs.
 */

/** Connections per origin, as many as the got agents allowed before. */
export const DELIVERY_CONNECTIONS_PER_ORIGIN = 256;

export interface DeliveryClientSettings {
  /** Lets endpoints on private and loopback addresses be called (HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS). */
  allowPrivate: boolean;
  userAgent: string;
  /** The deployment's connect timeout: a connection being set up is abandoned after this. */
  connectTimeoutMs: number;
}

type Result = Omit<HttpOutcome, 'startedAt' | 'durationMs'>;

/** Where a checked endpoint URL sends a call. */
interface Target {
  origin: string;
  path: string;
  /** The `authorization` for credentials in the URL. */
  basic?: string;
}

/** Endpoint URLs whose checks are kept (about a hundred bytes each); beyond it they start over. */
const MAX_KNOWN_TARGETS = 10_000;

/**
 * Encoded bytes kept for the excerpt of a compressed response: the calls ask for none (no
 * accept-encoding), but an endpoint may compress anyway, and its excerpt should stay readable.
 */
const ENCODED_EXCERPT_BYTES = 4 * 1024;
// Bounds what a compression bomb among those bytes can cost.
const MAX_DECODED_BYTES = 1024 * 1024;

const zlibFlush = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED_BYTES };
const DECODERS: Record<string, (raw: Buffer) => Buffer> = {
  gzip: (raw) => zlib.gunzipSync(raw, zlibFlush),
  'x-gzip': (raw) => zlib.gunzipSync(raw, zlibFlush),
  // zlib-wrapped as the RFC says, or raw deflate as some servers send it.
  deflate: (raw) => ((raw[0]! & 0x0f) === 0x08 ? zlib.inflateSync(raw, zlibFlush) : zlib.inflateRawSync(raw, zlibFlush)),
  br: (raw) => zlib.brotliDecompressSync(raw, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, maxOutputLength: MAX_DECODED_BYTES }),
};

/** The first bytes of a response as text; a compressed beginning (possibly cut short) is decoded. */
export function excerptOf(raw: Buffer, contentEncoding: string | undefined): string | undefined {
  const decode = contentEncoding === undefined ? undefined : DECODERS[contentEncoding.trim().toLowerCase()];
  if (decode === undefined || raw.length === 0) return raw.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
  try {
    return decode(raw).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
  } catch {
    return undefined; // not what it claims to be: no excerpt rather than binary noise
  }
}

/** A call's result as its outcome: completed in place (each result is a new object), not copied. */
function outcomeOf(r: Result, startedAt: Date, t0: number, retryAfter: string | undefined): HttpOutcome {
  const o = r as HttpOutcome;
  o.startedAt = startedAt;
  o.durationMs = Math.round(performance.now() - t0);
  if (retryAfter !== undefined) o.retryAfter = retryAfter;
  return o;
}

/** Follows one call: its phase timers, the response's status and first bytes. */
class CallHandler implements Dispatcher.DispatchHandler {
  private settled = false;
  private connected = false;
  private controller: Dispatcher.DispatchController | undefined;
  /** Set when we gave up before undici handed the request a connection; applied when it does. */
  private abandoned: Error | undefined;
  private statusCode: number | undefined;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private contentEncoding: string | undefined;
  private excerptLimit = RESPONSE_EXCERPT_BYTES;
  private excerptSize = 0;
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeouts: Timeouts,
    private readonly startedAt: Date,
    private readonly t0: number,
    private readonly resolve: (o: HttpOutcome) => void,
  ) {
    // One timer at a time: the connect limit first (if shorter), then what is left of the total.
    const first = Math.min(timeouts.connectMs, timeouts.totalMs);
    this.timer = setTimeout(() => this.onFirstLimit(), first);
  }

  private onFirstLimit(): void {
    if (!this.connected) return this.giveUp(new CallTimeoutError('connect'));
    const left = this.timeouts.totalMs - Math.min(this.timeouts.connectMs, this.timeouts.totalMs);
    if (left <= 0) return this.giveUp(new CallTimeoutError('request'));
    this.timer = setTimeout(() => this.giveUp(new CallTimeoutError('request')), left);
  }

  private giveUp(e: Error): void {
    this.timer = undefined;
    this.finish(this.resultOfError(e));
    if (this.controller) this.controller.abort(e);
    else this.abandoned = e;
  }

  private finish(r: Result): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.resolve(outcomeOf(r, this.startedAt, this.t0, r.statusCode === undefined ? undefined : this.retryAfter));
  }

  private excerpt(): string | undefined {
    return excerptOf(this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks), this.contentEncoding);
  }

  private resultOfError(e: unknown): Result {
    const status = this.statusCode;
    // A response whose status arrived counts as that status even if its body broke off.
    if (status !== undefined && status >= 200 && status < 300) return { statusCode: status, body: this.excerpt() };
    return { ...(status !== undefined ? { statusCode: status } : {}), ...classifyRequestError(e, this.timeouts) };
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.connected = true;
    if (this.abandoned) controller.abort(this.abandoned);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational (1xx): the real answer follows
    this.statusCode = statusCode;
    const retryAfter = headers['retry-after'];
    this.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
    const encoding = headers['content-encoding'];
    if (typeof encoding === 'string' && encoding !== 'identity') {
      this.contentEncoding = encoding;
      this.excerptLimit = ENCODED_EXCERPT_BYTES;
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.excerptSize < this.excerptLimit) {
      this.chunks.push(chunk);
      this.excerptSize += chunk.length;
    }
    this.size += chunk.length;
    if (this.size > MAX_RESPONSE_READ_BYTES && !this.settled) {
      this.finish({ statusCode: this.statusCode, body: this.excerpt() });
      controller.abort(new Error('response read cap reached'));
    }
  }

  onResponseEnd(): void {
    this.finish({ statusCode: this.statusCode, body: this.excerpt() });
  }

  onResponseError(_controller: Dispatcher.DispatchController, e: Error): void {
    if (!this.settled) this.finish(this.resultOfError(e));
  }
}

/**
 * HTTP client of the delivery path: keep-alive connections pooled per origin, one request per
 * connection at a time (`pipelining: 1`; 0 would turn keep-alive off), no redirects (undici
 * follows none without its redirect interceptor), no retries (retries go through Kafka), every
 * destination checked by the endpoint guard's DNS lookup at connect time. No accept-encoding is
 * sent: only an excerpt of the answer is kept, so compression would cost CPU for nothing.
 */
export class DeliveryClient {
  private readonly agent: Agent;
  private readonly allowPrivate: boolean;
  readonly userAgent: string;

  constructor(settings: DeliveryClientSettings) {
    this.allowPrivate = settings.allowPrivate;
    this.userAgent = settings.userAgent;
    this.agent = new Agent({
      connections: DELIVERY_CONNECTIONS_PER_ORIGIN,
      pipelining: 1,
      // The socket's own lookup is the guard's: the address connected to is the one checked.
      connect: { lookup: guardedLookup(settings.allowPrivate), timeout: settings.connectTimeoutMs },
    });
  }

  /**
   * What a URL's checks (protocol, literal host) found, by URL: the same endpoints are called
   * over and over, and parsing each URL again cost more than the rest of preparing the call.
   * Only URLs that passed are kept; the DNS answer is still checked at every connect.
   */
  private readonly targets = new Map<string, Target>();

  private targetOf(url: string): Target {
    let known = this.targets.get(url);
    if (known) return known;
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw Object.assign(new Error(`unsupported protocol ${target.protocol}`), { code: 'ERR_UNSUPPORTED_PROTOCOL' });
    }
    checkUrlHost(target, this.allowPrivate);
    known = { origin: target.origin, path: `${target.pathname}${target.search}` };
    // got sent a URL's credentials as Basic authentication; so do we (undici ignores them).
    if (target.username || target.password) {
      const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
      known.basic = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    if (this.targets.size >= MAX_KNOWN_TARGETS) this.targets.clear();
    this.targets.set(url, known);
    return known;
  }

  /** POSTs and reports what happened; never throws. */
  post(url: string, body: string, headers: Record<string, string>, timeouts: Timeouts): Promise<HttpOutcome> {
    const startedAt = new Date();
    const t0 = performance.now();
    let target: Target;
    try {
      target = this.targetOf(url);
    } catch (e) {
      return Promise.resolve(outcomeOf(classifyRequestError(e, timeouts), startedAt, t0, undefined));
    }
    // The caller's headers as they are when they carry our user-agent already (WebhookCaller's do).
    const basic = target.basic !== undefined && headers.authorization === undefined ? target.basic : undefined;
    const sent = headers['user-agent'] === this.userAgent && basic === undefined ? headers : { ...headers, 'user-agent': this.userAgent };
    if (basic !== undefined) sent.authorization = basic;
    const readMs = timeouts.readMs ?? 0; // 0: no silence limit, the total limit applies
    return new Promise<HttpOutcome>((resolve) => {
      const handler = new CallHandler(timeouts, startedAt, t0, resolve);
      try {
        this.agent.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: 'POST',
            headers: sent,
            body,
            headersTimeout: readMs,
            bodyTimeout: readMs,
          },
          handler,
        );
      } catch (e) {
        handler.onResponseError(undefined as unknown as Dispatcher.DispatchController, e as Error);
      }
    });
  }

  /** Closes every connection; calls still in flight end with an error. */
  async close(): Promise<void> {
    await this.agent.destroy();
  }
}
