import { Type } from '@sinclair/typebox';
import { StringEnum } from '../primitives.js';
import { SIGNATURE_SCHEMES } from './signing-keys.js';
import { SIGNING_SECRET_MAX_LENGTH, SIGNING_SECRET_PATTERN } from './signing-secret.js';

/** `unordered` (default): failures wait on retry topics while later deliveries go on; `fifo`: per ordering key, in publish order. */
export const WEBHOOK_ORDERINGS = ['unordered', 'fifo'] as const;
export type WebhookOrdering = (typeof WEBHOOK_ORDERINGS)[number];

export const DEFAULT_BATCH_SIZE = 1;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_IN_FLIGHT = 10;
/**
 * Defaults of content and system webhooks, from the Jive seed's tuning table
 * (`jive.webhooks.consumer.payload_size` 100, `jive.webhooks.consumer.callbacks_per_exec` 3).
 * Stored explicitly when a webhook is created, so webhooks created before keep what they had.
 */
export const DEFAULT_JIVE_PAYLOAD_SIZE = 100;
export const DEFAULT_JIVE_CALLBACKS_PER_EXEC = 3;
export const MAX_BATCH_SIZE = 100;
export const MAX_IN_FLIGHT = 100;
/** Characters of a `transform` expression (the gateway also compiles it). */
export const MAX_TRANSFORM_LENGTH = 16 * 1024;

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
  signing: Type.Optional(
    Type.Boolean({
      description:
        'true: hookstream generates the signing key (a whsec_ secret of 32 random bytes, shown once in the answer; or an Ed25519 key pair with signature_scheme ed25519). Unset or false with no signing_secret: deliveries are not signed',
    }),
  ),
  signature_scheme: Type.Optional(
    StringEnum(SIGNATURE_SCHEMES, {
      description:
        'hmac-sha256 (default): webhook-signature v1,<HMAC>; ed25519: v1a,<Ed25519 signature>, verified with the public key of GET /v1/webhooks/{id}/signing-secret (implies signing: true)',
    }),
  ),
  batch_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_BATCH_SIZE,
      description: `Events per callback: default ${DEFAULT_BATCH_SIZE} for notification webhooks (the notification seed sends them one by one), ${DEFAULT_JIVE_PAYLOAD_SIZE} for content and system webhooks; above 1 the body is a JSON array`,
    }),
  ),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 1000, maximum: 10_000, default: DEFAULT_TIMEOUT_MS, description: 'Time allowed for a 2xx response' })),
  max_in_flight: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_IN_FLIGHT,
      description: `Callbacks in flight at once for this webhook: default ${DEFAULT_MAX_IN_FLIGHT} for notification webhooks, ${DEFAULT_JIVE_CALLBACKS_PER_EXEC} for content and system webhooks`,
    }),
  ),
  rate_limit_per_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description: 'Requests per second to this endpoint' })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  transform: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: MAX_TRANSFORM_LENGTH,
      description:
        'JSONata expression that turns {id, type, source, subject, time, data} into the JSON object the endpoint receives (e.g. {"text": data.comment.text} for Slack); checked when saved, evaluated within 50 ms; try it with POST /v1/webhooks/{id}/transform/test',
    }),
  ),
  ordering: Type.Optional(
    StringEnum(WEBHOOK_ORDERINGS, {
      description:
        'fifo: deliveries of one ordering key (the event subject; events without one share the tenant key) arrive in the order the events were published, and a failure holds that key only (retried in place, dead-lettered when retry_max_count is exhausted). Default unordered',
    }),
  ),
  filter: Type.Optional(
    Type.Unsafe<Record<string, unknown>>({
      type: 'object',
      description:
        'Payload filter (issue 19.1): only events it accepts are delivered. Fields type, source, subject, time, data.*; operators $eq $neq $in $nin $gt $gte $lt $lte $exist $startsWith, $and $or $not; a nested object means all of its conditions hold. Example: {"data": {"comment": {"state": {"$in": ["approved"]}}}}',
    }),
  ),
};

/** The Jive seed's names for `batch_size` and `max_in_flight`, accepted on the webhooks-service (Jive) shape. */
export const jiveTuningProperties = {
  payload_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_BATCH_SIZE,
      description: `The seed's name of batch_size: events per callback (default ${DEFAULT_JIVE_PAYLOAD_SIZE}; 1 turns batching off)`,
    }),
  ),
  callbacks_per_exec: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_IN_FLIGHT,
      description: `The seed's name of max_in_flight: callbacks in flight at once for this webhook (default ${DEFAULT_JIVE_CALLBACKS_PER_EXEC})`,
    }),
  ),
};
