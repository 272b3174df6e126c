import { Type } from '@sinclair/typebox';
import type { Static, TProperties } from '@sinclair/typebox';
import { HttpUrl, Id, StringEnum, Uri } from '../primitives.js';
import { validate } from '../validation.js';
import type { ValidationResult } from '../validation.js';
import { NOTIFICATION_TYPES } from '../events/notification.js';
import { exactlyOne, HEADER_NAME_PATTERN, JwtAuthConfigSchema, TokenAuthConfigSchema } from './auth.js';
import { webhookExtensionProperties } from './extensions.js';
import { RetryBaseSchema, RetryMaxCountSchema } from './notification-config.js';
import { WebhookEventTokenSchema } from './service-entity.js';

export const WEBHOOK_KINDS = ['notification', 'content', 'system'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

const CanonicalTypes = Type.Array(StringEnum(NOTIFICATION_TYPES), { maxItems: NOTIFICATION_TYPES.length, uniqueItems: true });

const ext = webhookExtensionProperties;
const common = {
  kind: StringEnum(WEBHOOK_KINDS),
  endpoint: HttpUrl(),
  enabled: Type.Boolean(),
  spot_id: Type.Optional(Id()),
  retry_base: RetryBaseSchema,
  retry_max_count: RetryMaxCountSchema,
  registered_events: Type.Object({ email: CanonicalTypes, 'in-app': CanonicalTypes }, { additionalProperties: false }),
  events: Type.Array(WebhookEventTokenSchema, { maxItems: 50, uniqueItems: true, description: 'Content-type filter or system categories' }),
  object: Type.Optional(Uri()),
  signing_secret: ext.signing_secret,
  signature_scheme: ext.signature_scheme,
  batch_size: Type.Integer({ minimum: 1, maximum: 100 }),
  timeout_ms: Type.Integer({ minimum: 1000, maximum: 10_000 }),
  max_in_flight: Type.Integer({ minimum: 1, maximum: 100 }),
  rate_limit_per_s: ext.rate_limit_per_s,
  description: ext.description,
  transform: ext.transform,
  ordering: ext.ordering,
  filter: ext.filter,
};

function specVariant<P extends TProperties>(title: string, props: P) {
  return Type.Object({ ...common, ...props }, { title, additionalProperties: false });
}

const { token, secret_name } = TokenAuthConfigSchema.properties;
const jwt = JwtAuthConfigSchema.properties;

export const NoAuthWebhookSpecSchema = specVariant('NoAuthWebhookSpec', {
  auth_type: Type.Literal('none'),
  auth_config: Type.Object({}, { additionalProperties: false }),
});

export const TokenWebhookSpecSchema = specVariant('TokenWebhookSpec', {
  auth_type: Type.Literal('partner_secret_token'),
  auth_config: Type.Object(
    { token, secret_name, header_name: Type.String({ pattern: HEADER_NAME_PATTERN, maxLength: 256 }) },
    { additionalProperties: false, ...exactlyOne('token', 'secret_name') },
  ),
});

export const JwtWebhookSpecSchema = specVariant('JwtWebhookSpec', {
  auth_type: Type.Literal('client_secret_jwt'),
  auth_config: Type.Object(
    {
      client_id: jwt.client_id,
      client_secret: jwt.client_secret,
      secret_name: jwt.secret_name,
      client_assertion_type: Type.String({ minLength: 1, maxLength: 256 }),
      audience: jwt.audience,
      token_uri: jwt.token_uri,
      grant_type: Type.String({ minLength: 1, maxLength: 256 }),
      extra_grants: Type.Record(Type.String(), Type.String({ maxLength: 1024 })),
    },
    { additionalProperties: false, ...exactlyOne('client_secret', 'secret_name') },
  ),
});

/**
 * The single internal shape of a webhook, whichever request shape created it: defaults applied,
 * notification types canonical, `events` parsed into an array. This is what is stored and what
 * the matcher and the delivery worker read.
 */
export const WebhookSpecSchema = Type.Union([NoAuthWebhookSpecSchema, TokenWebhookSpecSchema, JwtWebhookSpecSchema], { title: 'WebhookSpec' });
export type WebhookSpec = Static<typeof WebhookSpecSchema>;

/** Validates a stored spec (e.g. a database row read back). */
export function validateWebhookSpec(value: unknown): ValidationResult<WebhookSpec> {
  return validate(WebhookSpecSchema, value);
}
