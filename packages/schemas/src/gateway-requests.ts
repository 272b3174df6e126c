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

/** PUT /v1/secrets/{name}: the value is write-only, never returned by any route. */
export const SecretRequestSchema = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 4096, writeOnly: true, description: 'The secret value (1 to 4096 characters)' }) },
  { title: 'SecretRequest', additionalProperties: false },
);
export type SecretRequest = Static<typeof SecretRequestSchema>;
