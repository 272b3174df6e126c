import type { WebhookSpec } from '@hookstream/schemas';
import type { WebhookRow } from '@hookstream/store';

/** The API's view of a webhook: its spec with every secret replaced by a `has_*` flag. */
export function presentWebhook(row: WebhookRow, publicUrl: string, secrets: SecretFlags): Record<string, unknown> {
  const spec = row.spec as WebhookSpec & Record<string, unknown>;
  const { auth_config, signing_secret: _signing, enabled: _enabled, ...rest } = spec;
  const auth: Record<string, unknown> = { ...(auth_config as Record<string, unknown>) };
  delete auth.token;
  delete auth.client_secret;
  if (spec.auth_type === 'partner_secret_token') auth.has_token = secrets.token;
  if (spec.auth_type === 'client_secret_jwt') auth.has_client_secret = secrets.client_secret;
  const uri = webhookUri(publicUrl, row.id);
  return {
    id: row.id,
    ...rest,
    auth_config: auth,
    has_signing_secret: secrets.signing_secret,
    enabled: row.enabled,
    buggy: row.buggy,
    consecutive_failures: row.consecutive_failures,
    marked_buggy_at: row.marked_buggy_at ? new Date(row.marked_buggy_at).toISOString() : null,
    uri,
    resources: {
      self: { ref: uri, allowed: ['GET', 'PUT', 'DELETE'] },
      enable: { ref: `${uri}/enable`, allowed: ['PUT'] },
      deliveries: { ref: `${uri}/deliveries`, allowed: ['GET'] },
    },
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export interface SecretFlags {
  token: boolean;
  client_secret: boolean;
  signing_secret: boolean;
}

export function webhookUri(publicUrl: string, id: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/webhooks/${id}`;
}

/** Every top-level field a webhook resource can have, for `fields=`. */
export const WEBHOOK_FIELDS = [
  'id',
  'kind',
  'endpoint',
  'enabled',
  'buggy',
  'spot_id',
  'auth_type',
  'auth_config',
  'retry_base',
  'retry_max_count',
  'registered_events',
  'events',
  'object',
  'batch_size',
  'timeout_ms',
  'max_in_flight',
  'rate_limit_per_s',
  'description',
  'has_signing_secret',
  'consecutive_failures',
  'marked_buggy_at',
  'uri',
  'resources',
  'created_at',
  'updated_at',
] as const;
