import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './primitives.js';
import { describePattern } from './validation.js';

/** POST /v1/tenants: the operator names a tenant; the gateway generates its API key. */
export const TenantRequestSchema = Type.Object(
  {
    name: Type.String({
      maxLength: 256,
      // One non-blank character is enough: the name is stored trimmed.
      pattern: describePattern('\\S', 'must be a non-empty string of at most 256 characters'),
      description: 'A name a person recognises the tenant by (stored trimmed)',
    }),
  },
  { title: 'TenantRequest', additionalProperties: false },
);
export type TenantRequest = Static<typeof TenantRequestSchema>;

/** PATCH /v1/tenants/{id}: the operator changes a tenant's settings. */
export const TenantUpdateRequestSchema = Type.Object(
  {
    webhook_limit: Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()], {
      description: "Webhooks the tenant may have (bounds one event's fan-out); null restores the gateway's default (TENANT_WEBHOOK_LIMIT)",
    }),
  },
  { title: 'TenantUpdateRequest', additionalProperties: false },
);
export type TenantUpdateRequest = Static<typeof TenantUpdateRequestSchema>;

/** PUT /v1/secrets/{name}: the value is write-only, never returned by any route. */
export const SecretRequestSchema = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 4096, writeOnly: true, description: 'The secret value (1 to 4096 characters)' }) },
  { title: 'SecretRequest', additionalProperties: false },
);
export type SecretRequest = Static<typeof SecretRequestSchema>;

/**
 * What an API key may do (#17.1): `publish` events, `read` webhooks, deliveries, events, secret
 * names and keys, `manage` (every change). A key without explicit scopes holds all three.
 */
export const API_KEY_SCOPES = ['publish', 'read', 'manage'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** POST /v1/api-keys and POST /v1/tenants/{id}/api-keys: the new key's scopes (default: all). */
export const ApiKeyRequestSchema = Type.Object(
  {
    scopes: Type.Optional(
      Type.Array(StringEnum(API_KEY_SCOPES, { description: 'One of: publish, read, manage' }), {
        minItems: 1,
        uniqueItems: true,
        description: 'What the key may do: a non-empty subset of publish, read, manage (default: all three)',
      }),
    ),
  },
  { title: 'ApiKeyRequest', additionalProperties: false },
);
export type ApiKeyRequest = Static<typeof ApiKeyRequestSchema>;
