import {
  ApiKeyRequestSchema,
  jsonSchemas,
  SecretRequestSchema,
  SPOT_ID_DESCRIPTION,
  TenantRequestSchema,
  TenantUpdateRequestSchema,
  toJsonSchema,
} from '@hookstream/schemas';
import { DELIVERY_STATUSES } from '../deliveries/delivery-history.js';
import { ref } from './shapes.js';

/** The contract package's JSON Schemas plus the shapes only the gateway's responses have. */
export function componentSchemas(): Record<string, unknown> {
  return {
    ...jsonSchemas,
    TenantRequest: toJsonSchema(TenantRequestSchema),
    TenantUpdateRequest: toJsonSchema(TenantUpdateRequestSchema),
    SecretRequest: toJsonSchema(SecretRequestSchema),
    ApiKeyRequest: toJsonSchema(ApiKeyRequestSchema),
    Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: { type: 'string' },
        details: { type: 'array', items: ref('ValidationError') },
        missing_scope: { enum: ['publish', 'read', 'manage'], description: 'On a 403: the scope the API key lacks' },
      },
    },
    Accepted: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    BatchResult: {
      type: 'object',
      required: ['accepted', 'rejected', 'results'],
      properties: {
        accepted: { type: 'integer' },
        rejected: { type: 'integer' },
        error: { type: 'string' },
        results: {
          type: 'array',
          items: {
            type: 'object',
            required: ['index', 'status'],
            properties: {
              index: { type: 'integer', description: 'Position in the request array' },
              id: { type: 'string' },
              status: { enum: ['accepted', 'rejected'] },
              duplicate: { type: 'boolean', description: 'Accepted earlier within the dedup window; not published again' },
              code: { type: 'integer', description: 'HTTP status this item would have had alone (400, 413)' },
              error: { type: 'string' },
              details: { type: 'array', items: ref('ValidationError') },
            },
          },
        },
      },
    },
    Webhook: {
      type: 'object',
      description:
        'A webhook in the shape it was written in. A notification webhook: the normalized notification configuration without secrets (`auth_config.has_token`, `has_client_secret`, `has_signing_secret` tell whether one is set). A content or system webhook: the webhooks-service entity (`callback`, `events` as a comma-separated string, `object`) without the notification-only fields, so it can be sent back in a PUT. Plus state and links in both.',
      properties: {
        id: { type: 'string', format: 'uuid' },
        kind: { enum: ['notification', 'content', 'system'] },
        endpoint: { type: 'string', description: 'Notification webhooks' },
        callback: { type: 'string', description: 'Content and system webhooks (the entity shape)' },
        spot_id: { type: 'string', description: SPOT_ID_DESCRIPTION },
        enabled: { type: 'boolean' },
        buggy: { type: 'boolean' },
        auth_type: { type: 'string' },
        auth_config: { type: 'object' },
        registered_events: ref('RegisteredEvents'),
        events: {
          description: 'Content and system webhooks: a comma-separated string, as created ("user_account,user_session"); notification webhooks: an empty array',
          oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        },
        object: { type: 'string' },
        has_signing_secret: { type: 'boolean' },
        consecutive_failures: { type: 'integer' },
        uri: { type: 'string' },
        resources: { type: 'object' },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
      },
    },
    WebhookList: {
      type: 'object',
      properties: {
        startIndex: { type: 'integer' },
        itemsPerPage: { type: 'integer' },
        list: { type: 'array', items: ref('Webhook') },
        links: { type: 'object', properties: { next: { type: 'string' }, previous: { type: 'string' } } },
      },
    },
    Delivery: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        event_id: { type: 'string' },
        webhook_id: { type: 'string' },
        status: { enum: [...DELIVERY_STATUSES] },
        attempts: { type: 'integer' },
      },
    },
  };
}
