import type { WebhookSpec } from '@hookstream/schemas';
import type { WebhookRow } from '@hookstream/store';

/**
 * The API's view of a webhook, in the shape it was written in: a notification configuration
 * reads back as one (its spec with every secret replaced by a `has_*` flag), a content or system
 * webhook as the webhooks service's entity. The spec's `kind` records that shape: only an entity
 * (`callback`) makes a content or system webhook, only a configuration (`endpoint`) a notification one.
 */
export function presentWebhook(row: WebhookRow, publicUrl: string, secrets: SecretFlags): Record<string, unknown> {
  const spec = row.spec as WebhookSpec & Record<string, unknown>;
  const uri = webhookUri(publicUrl, row.id);
  return {
    id: row.id,
    ...(spec.kind === 'notification' ? notificationFields(spec, secrets) : entityFields(spec)),
    has_signing_secret: secrets.signing_secret,
    // A buggy webhook receives nothing until re-enabled, and the seed's enable "re-enable[s] a
    // webhook that was disabled" (ignoring an enabled one): so it reads as not enabled (#17.4).
    enabled: row.enabled && !row.buggy,
    // Set when hookstream disabled it: `gone` (the endpoint answered 410); enabling clears it.
    disabled_reason: row.disabled_reason ?? null,
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

function notificationFields(spec: WebhookSpec & Record<string, unknown>, secrets: SecretFlags): Record<string, unknown> {
  const { auth_config, signing_secret: _signing, enabled: _enabled, ...rest } = spec;
  const auth: Record<string, unknown> = { ...(auth_config as Record<string, unknown>) };
  delete auth.token;
  delete auth.client_secret;
  if (spec.auth_type === 'partner_secret_token') auth.has_token = secrets.token;
  if (spec.auth_type === 'client_secret_jwt') auth.has_client_secret = secrets.client_secret;
  return { ...rest, auth_config: auth };
}

/**
 * The seed's webhook entity: `callback`, `events` as the comma-separated string of its curl
 * examples (absent when a content webhook watches every type), `object`, plus hookstream's
 * extensions. The notification-only fields (retries, auth, channels) are left out, so the
 * entity can be sent back as it is in a PUT.
 */
function entityFields(spec: WebhookSpec & Record<string, unknown>): Record<string, unknown> {
  const {
    endpoint,
    events,
    object,
    kind,
    signing_secret: _signing,
    enabled: _enabled,
    auth_type: _authType,
    auth_config: _authConfig,
    retry_base: _retryBase,
    retry_max_count: _retryMaxCount,
    registered_events: _registered,
    ...extensions
  } = spec;
  return {
    kind,
    ...(events.length > 0 ? { events: events.join(',') } : {}),
    callback: endpoint,
    ...(object !== undefined ? { object } : {}),
    ...extensions,
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

/** Every top-level field a webhook resource can have (in either shape), for `fields=`. */
export const WEBHOOK_FIELDS = [
  'id',
  'kind',
  'endpoint',
  'callback',
  'enabled',
  'disabled_reason',
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
  'transform',
  'ordering',
  'has_signing_secret',
  'consecutive_failures',
  'marked_buggy_at',
  'uri',
  'resources',
  'created_at',
  'updated_at',
] as const;
