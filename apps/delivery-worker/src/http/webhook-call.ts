import { decodedBodyJson, DELIVERY_ID_NAMESPACE, uuidV5, type DeliveryJob } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import type { AccessTokens } from '../auth/client-secret-jwt.js';
import { AuthError } from '../auth/errors.js';
import type { SecretResolver } from '../auth/secrets.js';
import { signatureHeader } from '../auth/signature.js';
import { tokenHeader } from '../auth/token-header.js';
import { payloadSize } from '../dispatch/webhook-tuning.js';
import type { HttpOutcome, Timeouts } from './outcome.js';
import { redactedHeaders } from './request-headers.js';

/** What a call needs of the delivery path's HTTP client (delivery-client.ts). */
export interface DeliveryPoster {
  /** POSTs and reports what happened, in a new outcome object each call (the caller completes it); never throws. */
  post(url: string, body: string, headers: Record<string, string>, timeouts: Timeouts): Promise<HttpOutcome>;
  /** The `user-agent` the client adds to every request (the headers may carry it already). */
  readonly userAgent?: string;
}

export type AttemptOutcomeKind = 'delivered' | 'http_error' | 'timeout' | 'network_error' | 'refused' | 'auth_error';

/** The result of one attempt (a call, plus at most one immediate re-authenticated call). */
export interface AttemptOutcome extends HttpOutcome {
  ok: boolean;
  outcome: AttemptOutcomeKind;
  /** False when trying again cannot help (the endpoint's address is refused). */
  retryable: boolean;
  reauthenticated: boolean;
  /** The headers sent (of the last call, after a re-authentication), credentials `[redacted]`: for the delivery history. */
  requestHeaders?: Record<string, string>;
}

export interface CallSettings {
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

/** The Jive seed's maxima (`jive.webhooks.timeout.connection.max` 15 s, `jive.webhooks.timeout.read.max` 5 s). */
export const JIVE_MAX_CONNECT_MS = 15_000;
export const JIVE_MAX_READ_MS = 5_000;

/**
 * Time limits of a call. Notification webhooks follow the notification seed: a 2xx within the
 * webhook's `timeout_ms` (default and at most 10 s), connection included. Content and system
 * webhooks follow the Jive seed: up to 15 s to connect and 5 s of silence while reading, each
 * also the maximum; their `timeout_ms` bounds the exchange after the connection, so the
 * notification seed's 10 s never shortens the Jive connect limit.
 */
export function callTimeouts(webhook: WebhookRecord, settings: CallSettings): Timeouts {
  const timeoutMs = webhook.spec.timeout_ms ?? 10_000;
  if (webhook.spec.kind === 'notification') return { totalMs: timeoutMs, connectMs: Math.min(settings.connectTimeoutMs, timeoutMs) };
  const connectMs = Math.min(settings.connectTimeoutMs, JIVE_MAX_CONNECT_MS);
  return { connectMs, readMs: Math.min(settings.readTimeoutMs, JIVE_MAX_READ_MS), totalMs: connectMs + timeoutMs };
}

/** `webhook-id` of a call: the delivery id, or for a batch a stable id derived from its deliveries. */
export function callId(webhook: WebhookRecord, jobs: DeliveryJob[]): string {
  if (jobs.length === 1) return jobs[0]!.delivery_id;
  return uuidV5(DELIVERY_ID_NAMESPACE, JSON.stringify(['batch', webhook.id, ...jobs.map((j) => j.delivery_id)]));
}

/** A job's body as JSON text: the text its record carried when there is one (see decodedBodyJson). */
function bodyJson(job: DeliveryJob): string {
  return decodedBodyJson(job.body) ?? JSON.stringify(job.body);
}

/**
 * The request body: the job's body, or for a batching webhook (batch_size > 1) always an array.
 * The signature is computed over this very text, so reusing the record's text is safe.
 */
export function callBody(webhook: WebhookRecord, jobs: DeliveryJob[]): string {
  if (payloadSize(webhook) <= 1) return bodyJson(jobs[0]!);
  let text = '[';
  for (let i = 0; i < jobs.length; i++) text += (i === 0 ? '' : ',') + bodyJson(jobs[i]!);
  return `${text}]`;
}

function kindOf(o: HttpOutcome): AttemptOutcomeKind {
  if (o.statusCode !== undefined && o.errorClass === undefined) return o.statusCode >= 200 && o.statusCode < 300 ? 'delivered' : 'http_error';
  if (o.errorClass === 'endpoint_refused') return 'refused';
  if (o.errorClass?.startsWith('timeout')) return 'timeout';
  return 'network_error';
}

/**
 * The attempt's outcome, made of the client's: the client hands every call a fresh outcome, so
 * it is completed in place rather than copied (two spreads and an object per delivery).
 */
function attemptOf(o: HttpOutcome, reauthenticated: boolean, requestHeaders: Record<string, string>): AttemptOutcome {
  const attempt = o as AttemptOutcome;
  const kind = kindOf(o);
  attempt.ok = kind === 'delivered';
  attempt.outcome = kind;
  attempt.retryable = kind !== 'refused';
  attempt.reauthenticated = reauthenticated;
  attempt.requestHeaders = requestHeaders;
  return attempt;
}

/** Header names always shown redacted (tokenHeader adds the webhook's own). */
const AUTHORIZATION: readonly string[] = ['authorization'];

function latestAttempt(jobs: DeliveryJob[]): number {
  let latest = jobs[0]!.attempt;
  for (let i = 1; i < jobs.length; i++) latest = Math.max(latest, jobs[i]!.attempt);
  return latest;
}

function hasUrlCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

/*
 * Parsing the endpoint URL on every attempt only to learn whether it carries credentials cost
 * more than the rest of the shown headers: it is learnt once per webhook configuration (a
 * changed webhook is a new record).
 */
const urlCredentialsOf = new WeakMap<WebhookRecord, boolean>();

function endpointHasCredentials(webhook: WebhookRecord): boolean {
  let has = urlCredentialsOf.get(webhook);
  if (has === undefined) urlCredentialsOf.set(webhook, (has = hasUrlCredentials(webhook.spec.endpoint)));
  return has;
}

/** Makes the HTTP call of a delivery (or a batch of them) with the webhook's authentication. */
export class WebhookCaller {
  constructor(
    private readonly sender: DeliveryPoster,
    private readonly secrets: SecretResolver,
    private readonly tokens: AccessTokens,
    private readonly settings: CallSettings,
  ) {}

  async call(webhook: WebhookRecord, jobs: DeliveryJob[]): Promise<AttemptOutcome> {
    const startedAtMs = Date.now();
    const id = callId(webhook, jobs);
    const body = callBody(webhook, jobs);
    const timeouts = this.timeoutsOf(webhook);
    try {
      const first = await this.send(webhook, id, body, jobs, timeouts);
      const rejected = first.outcome.statusCode === 401 || first.outcome.statusCode === 403;
      if (webhook.spec.auth_type !== 'client_secret_jwt' || !rejected || first.token === undefined) {
        return attemptOf(first.outcome, false, first.sent);
      }
      // The seed: on 401/403 authenticate again once and retry at once; if that fails too, the attempt failed.
      this.tokens.invalidate(webhook.id, first.token);
      const second = await this.send(webhook, id, body, jobs, timeouts);
      second.outcome.startedAt = new Date(startedAtMs);
      second.outcome.durationMs = Date.now() - startedAtMs;
      return attemptOf(second.outcome, true, second.sent);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      return {
        startedAt: new Date(startedAtMs),
        durationMs: Date.now() - startedAtMs,
        errorClass: e.errorClass,
        errorMessage: e.message,
        ok: false,
        outcome: 'auth_error',
        retryable: true,
        reauthenticated: false,
      };
    }
  }

  /*
   * A call's time limits depend only on the webhook's configuration (a changed webhook is a new
   * record): worked out once per record rather than an object per call.
   */
  private readonly timeouts = new WeakMap<WebhookRecord, Timeouts>();

  private timeoutsOf(webhook: WebhookRecord): Timeouts {
    let timeouts = this.timeouts.get(webhook);
    if (!timeouts) this.timeouts.set(webhook, (timeouts = callTimeouts(webhook, this.settings)));
    return timeouts;
  }

  private async send(
    webhook: WebhookRecord,
    id: string,
    body: string,
    jobs: DeliveryJob[],
    timeouts: Timeouts,
  ): Promise<{ outcome: HttpOutcome; token?: string; sent: Record<string, string> }> {
    const count = jobs.length;
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      // 1-based; a batch's jobs may be at different attempts: the call is the latest of theirs.
      'webhook-attempt': String(latestAttempt(jobs)),
    };
    let credentials = AUTHORIZATION;
    if (count > 1 || payloadSize(webhook) > 1) headers['webhook-batch-size'] = String(count);
    const signature = signatureHeader(this.secrets.webhookSecrets(webhook), id, timestamp, body);
    if (signature) headers['webhook-signature'] = signature;
    let token: string | undefined;
    if (webhook.spec.auth_type === 'partner_secret_token') {
      const [name, value] = await tokenHeader(webhook, this.secrets);
      headers[name] = value;
      credentials = ['authorization', name];
    } else if (webhook.spec.auth_type === 'client_secret_jwt') {
      token = await this.tokens.token(webhook);
      headers.authorization = `Bearer ${token}`;
    }
    // The client sends its user-agent anyway; with it here, the headers sent are the ones shown.
    const { userAgent } = this.sender;
    if (userAgent) headers['user-agent'] = userAgent;
    const outcome = await this.sender.post(webhook.spec.endpoint, body, headers, timeouts);
    // The delivery client sends an endpoint URL's credentials as Basic authentication.
    const shown = endpointHasCredentials(webhook) && headers.authorization === undefined ? { ...headers, authorization: 'Basic' } : headers;
    return { outcome, token, sent: redactedHeaders(shown, credentials) };
  }
}
