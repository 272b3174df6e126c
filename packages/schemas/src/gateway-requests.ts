import { Type, type Static } from '@sinclair/typebox';
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
