import { ApiError } from './api.js';
import { CHANNELS, type Channel, type Webhook } from './types.js';

/** What the endpoint form edits, as the inputs hold it (strings until sent). */
export interface EndpointForm {
  url: string;
  description: string;
  events: Record<Channel, string[]>;
  authType: 'none' | 'partner_secret_token' | 'client_secret_jwt';
  headerName: string;
  /** Write-only: empty keeps a secret-store reference, if the webhook has one. */
  token: string;
  signing: boolean;
  scheme: 'hmac-sha256' | 'ed25519';
  fifo: boolean;
  rateLimit: string;
  retryMaxCount: string;
  filter: string;
  transform: string;
}

export function emptyForm(): EndpointForm {
  return {
    url: '',
    description: '',
    events: { email: [], 'in-app': [] },
    authType: 'none',
    headerName: '',
    token: '',
    signing: true,
    scheme: 'hmac-sha256',
    fifo: false,
    rateLimit: '',
    retryMaxCount: '',
    filter: '',
    transform: '',
  };
}

/** The form filled from a webhook as the API answers it (secrets are never answered, so they stay empty). */
export function formFromWebhook(w: Webhook): EndpointForm {
  const auth = (w.auth_config ?? {}) as Record<string, unknown>;
  return {
    url: w.endpoint ?? w.callback ?? '',
    description: w.description ?? '',
    events: { email: [...(w.registered_events?.email ?? [])], 'in-app': [...(w.registered_events?.['in-app'] ?? [])] },
    authType: w.auth_type === 'partner_secret_token' || w.auth_type === 'client_secret_jwt' ? w.auth_type : 'none',
    headerName: typeof auth.header_name === 'string' ? auth.header_name : '',
    token: '',
    signing: w.has_signing_secret,
    scheme: w.signature_scheme ?? 'hmac-sha256',
    fifo: w.ordering === 'fifo',
    rateLimit: w.rate_limit_per_s != null ? String(w.rate_limit_per_s) : '',
    retryMaxCount: w.retry_max_count != null ? String(w.retry_max_count) : '',
    filter: w.filter ? JSON.stringify(w.filter, null, 2) : '',
    transform: w.transform ?? '',
  };
}

/** A problem found before sending, reported like the API's own 400 (the JSON path at fault). */
const invalid = (path: string, message: string) => new ApiError(400, 'invalid form', [{ path, message }]);

/**
 * The body of `POST /v1/webhooks` (or `PUT /v1/webhooks/{id}`, which replaces the configuration)
 * for the form. A PUT must repeat what the form does not show: the existing webhook's other
 * settings are carried over, and its generated signing key is kept with `signing: true`.
 * Throws an ApiError naming the field when the form cannot become a body (unreadable JSON filter).
 */
export function webhookRequest(form: EndpointForm, existing?: Webhook): Record<string, unknown> {
  let filter: unknown;
  if (form.filter.trim() !== '') {
    try {
      filter = JSON.parse(form.filter);
    } catch (err) {
      throw invalid('/filter', `is not valid JSON (${err instanceof Error ? err.message : 'unreadable'})`);
    }
    if (!filter || typeof filter !== 'object' || Array.isArray(filter)) throw invalid('/filter', 'must be a JSON object');
  }
  const rate = form.rateLimit.trim() === '' ? undefined : Number(form.rateLimit);
  if (rate !== undefined && !Number.isFinite(rate)) throw invalid('/rate_limit_per_s', 'must be a number');
  const retries = form.retryMaxCount.trim() === '' ? undefined : Number(form.retryMaxCount);
  if (retries !== undefined && !Number.isInteger(retries)) throw invalid('/retry_max_count', 'must be a whole number');

  const kept = existing ? carriedOver(existing) : {};
  const body: Record<string, unknown> = { ...kept, enabled: existing ? existing.enabled || existing.buggy : true, endpoint: form.url.trim() };
  if (form.description.trim() !== '') body.description = form.description.trim();
  else delete body.description;
  const registered: Partial<Record<Channel, string[]>> = {};
  for (const c of CHANNELS) registered[c] = [...form.events[c]];
  body.registered_events = registered;

  delete body.auth_config;
  const existingAuth = { ...(existing?.auth_config ?? {}) } as Record<string, unknown>;
  if (form.authType === 'none') body.auth_type = 'none';
  else if (form.authType === 'partner_secret_token') {
    const cfg: Record<string, unknown> = {};
    if (form.headerName.trim() !== '') cfg.header_name = form.headerName.trim();
    if (form.token !== '') cfg.token = form.token;
    else if (existing?.auth_type === 'partner_secret_token' && typeof existingAuth.secret_name === 'string') cfg.secret_name = existingAuth.secret_name;
    body.auth_type = 'partner_secret_token';
    body.auth_config = cfg;
  } else {
    const { has_client_secret: _flag, ...cfg } = existingAuth;
    if (form.token !== '') {
      delete cfg.secret_name;
      cfg.client_secret = form.token;
    }
    body.auth_type = 'client_secret_jwt';
    body.auth_config = cfg;
  }

  delete body.signing;
  delete body.signature_scheme;
  if (form.signing) {
    body.signing = true;
    body.signature_scheme = form.scheme;
  }
  if (form.fifo) body.ordering = 'fifo';
  else delete body.ordering;
  if (rate !== undefined) body.rate_limit_per_s = rate;
  else delete body.rate_limit_per_s;
  if (retries !== undefined) body.retry_max_count = retries;
  if (filter !== undefined) body.filter = filter;
  else delete body.filter;
  if (form.transform.trim() !== '') body.transform = form.transform;
  else delete body.transform;
  return body;
}

// Read-only members of the API's answer, never part of a request.
const ANSWER_ONLY = new Set([
  'id',
  'kind',
  'has_signing_secret',
  'enabled',
  'disabled_reason',
  'buggy',
  'consecutive_failures',
  'marked_buggy_at',
  'uri',
  'resources',
  'created_at',
  'updated_at',
  'partner',
  'tenant_id',
  'callback',
  'events',
  'object',
]);

function carriedOver(w: Webhook): Record<string, unknown> {
  return Object.fromEntries(Object.entries(w).filter(([k]) => !ANSWER_ONLY.has(k)));
}
