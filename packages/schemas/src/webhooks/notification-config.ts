import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { HttpUrl, Id, StringEnum } from '../primitives.js';
import { NOTIFICATION_TYPE_NAMES } from '../events/notification.js';
import type { NotificationTypeName } from '../events/notification.js';
import { AuthTypeSchema, authConditions, JwtAuthConfigSchema, TokenAuthConfigSchema } from './auth.js';
import type { JwtAuthConfig, TokenAuthConfig } from './auth.js';
import { webhookExtensionProperties } from './extensions.js';

export const DEFAULT_RETRY_BASE = 2;
export const DEFAULT_RETRY_MAX_COUNT = 5;

/**
 * The notification seed marks `spot_id` required; hookstream keeps it optional on purpose, so one
 * webhook can serve a tenant's every spot.
 */
export const SPOT_ID_DESCRIPTION =
  'Spot ID used for these notifications. Optional, a deliberate extension (the seed marks it required): a webhook without a spot_id serves every spot of its tenant; with one, it receives only events of that spot, which an event names by its `spotid` attribute or else by the spot prefix of `data.conversation_id`.';

export const RetryBaseSchema = Type.Integer({
  minimum: 1,
  maximum: 5,
  default: DEFAULT_RETRY_BASE,
  description: 'Base of the exponential retry delay, seconds',
});
export const RetryMaxCountSchema = Type.Integer({
  minimum: 0,
  maximum: 10,
  default: DEFAULT_RETRY_MAX_COUNT,
  description: 'Retries per event after which it is discarded',
});

const RegisteredTypes = Type.Array(StringEnum(NOTIFICATION_TYPE_NAMES as readonly NotificationTypeName[]), {
  maxItems: 50,
  description: 'Notification types (aliases accepted)',
});

export const RegisteredEventsSchema = Type.Object(
  { email: Type.Optional(RegisteredTypes), 'in-app': Type.Optional(RegisteredTypes) },
  { title: 'RegisteredEvents', additionalProperties: false, description: 'Notification types registered per channel' },
);

/**
 * The notification webhook configuration of the notification seed, as a partner writes it.
 * Unknown fields are rejected: a misspelt option must not silently fall back to its default.
 */
export const NotificationConfigSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ default: true })),
    // https is a deployment policy (the gateway enforces it unless private endpoints are allowed for development).
    endpoint: HttpUrl({ description: 'Events are POSTed to this URL (https required by the gateway in production)' }),
    spot_id: Type.Optional(Id({ description: SPOT_ID_DESCRIPTION })),
    auth_type: Type.Optional(AuthTypeSchema),
    auth_config: Type.Optional(Type.Unsafe<TokenAuthConfig | JwtAuthConfig | Record<string, never>>({ type: 'object' })),
    retry_base: Type.Optional(RetryBaseSchema),
    retry_max_count: Type.Optional(RetryMaxCountSchema),
    registered_events: Type.Optional(RegisteredEventsSchema),
    ...webhookExtensionProperties,
  },
  {
    title: 'NotificationConfig',
    additionalProperties: false,
    allOf: authConditions(TokenAuthConfigSchema, JwtAuthConfigSchema),
  },
);
export type NotificationConfig = Static<typeof NotificationConfigSchema>;
