/** Shapes of the operator routes' answers (tag "Operations console" in the OpenAPI document). */

export interface Tenant {
  id: string;
  name: string;
  created_at: string;
  disabled_at: string | null;
}

/** One tenant read alone (`GET /v1/tenants/{id}`): with the webhook limit in force. */
export interface TenantDetail extends Tenant {
  webhook_limit: number;
}

export interface ApiKey {
  id: string;
  hint: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at?: string | null;
}

export interface DeadLetter {
  delivery_id: string;
  webhook_id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  reason: string;
  attempts: number;
  dead_lettered_at: string;
}

export interface DeadLetterDetail extends DeadLetter {
  payload?: unknown;
  attempts_detail?: unknown;
  [more: string]: unknown;
}

export interface AdminWebhook {
  id: string;
  tenant_id: string;
  endpoint?: string;
  callback?: string;
  state: string;
  buggy: boolean;
  marked_buggy_at: string | null;
  disabled_reason: string | null;
  consecutive_failures?: number;
  [more: string]: unknown;
}

export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  offset: string | number;
  high_watermark: string | number;
  lag: number;
}

export interface RateBucket {
  start: string;
  delivered: number;
  failed: number;
}
