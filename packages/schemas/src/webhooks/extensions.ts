import { Type } from '@sinclair/typebox';
import { SIGNING_SECRET_MAX_LENGTH, SIGNING_SECRET_PATTERN } from './signing-secret.js';

export const DEFAULT_BATCH_SIZE = 1;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_IN_FLIGHT = 10;

/** hookstream's own settings, accepted on both request shapes. */
export const webhookExtensionProperties = {
  signing_secret: Type.Optional(
    Type.String({
      pattern: SIGNING_SECRET_PATTERN,
      maxLength: SIGNING_SECRET_MAX_LENGTH,
      writeOnly: true,
      description:
        'Standard Webhooks signing secret: whsec_ + standard base64 of 24 to 64 random bytes (echo "whsec_$(openssl rand -base64 32)"); deliveries then carry a webhook-signature of the body',
    }),
  ),
  batch_size: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_BATCH_SIZE, description: 'Events per callback (the notification seed sends them one by one)' }),
  ),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 1000, maximum: 10_000, default: DEFAULT_TIMEOUT_MS, description: 'Time allowed for a 2xx response' })),
  max_in_flight: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_MAX_IN_FLIGHT, description: 'Concurrent requests to this endpoint' })),
  rate_limit_per_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description: 'Requests per second to this endpoint' })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
};
