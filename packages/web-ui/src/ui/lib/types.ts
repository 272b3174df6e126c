/** The shapes of the API's answers the views read (the OpenAPI document is the reference). */

export interface Webhook {
  id: string;
  kind?: string;
  /** Notification configuration: the URL; a webhooks-service entity has `callback` instead. */
  endpoint?: string;
  callback?: string;
  events?: string;
  object?: string;
  description?: string;
  enabled: boolean;
  buggy: boolean;
  disabled_reason: string | null;
  consecutive_failures?: number;
  marked_buggy_at?: string | null;
  registered_events?: Partial<Record<Channel, string[]>>;
  auth_type?: string;
  auth_config?: Record<string, unknown>;
  retry_base?: number;
  retry_max_count?: number;
  signature_scheme?: 'hmac-sha256' | 'ed25519';
  has_signing_secret: boolean;
  ordering?: 'unordered' | 'fifo';
  rate_limit_per_s?: number;
  filter?: Record<string, unknown>;
  transform?: string;
  partner?: string | null;
  created_at: string;
  updated_at: string;
  [extension: string]: unknown;
}

export type Channel = 'email' | 'in-app';
export const CHANNELS: readonly Channel[] = ['email', 'in-app'];

/** The Jive list shape every paged list of the API answers. */
export interface Page<T> {
  startIndex: number;
  itemsPerPage: number;
  list: T[];
  links: { next?: string; previous?: string };
}

export interface EventTypeEntry {
  type: string;
  channel: string | string[];
  description?: string;
  versions?: unknown;
  schema: unknown;
  example: unknown;
}

export interface Delivery {
  id: string;
  event_id: string;
  webhook_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string | null;
  finished_at: string | null;
}

export interface Attempt {
  cycle: number;
  attempt: number;
  started_at: string;
  duration_ms: number | null;
  outcome: string;
  status_code: number | null;
  error: { class: string | null; message: string | null } | null;
  response_excerpt: string | null;
  retry_after_ms: number | null;
  request_headers: Record<string, string> | null;
}

export interface DeliveryDetail extends Omit<Delivery, 'attempts'> {
  body: unknown;
  attempts: Attempt[];
}

export interface SigningKey {
  signature_scheme: 'hmac-sha256' | 'ed25519';
  signing_secret?: string;
  public_key?: string;
  previous_public_key?: string;
  previous_expires_at?: string | null;
}

export interface StatsBucket {
  start: string;
  attempts: number;
  succeeded: number;
  failed: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

export interface WebhookStats {
  from: string;
  to: string;
  success_rate: number | null;
  attempts: number;
  buckets: StatsBucket[];
}
