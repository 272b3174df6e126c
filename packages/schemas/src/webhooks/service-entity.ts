import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { HttpUrl, requires, Uri } from '../primitives.js';
import { describePattern } from '../validation.js';
import { SYSTEM_CATEGORIES } from '../events/activity.js';
import { jiveTuningProperties, webhookExtensionProperties } from './extensions.js';

const EVENT_TOKEN = describePattern('^[a-z][a-z0-9_]{0,63}$', 'must be a content type (e.g. document) or a system event type (e.g. user_account)');
const EVENT_LIST = describePattern(
  '^\\s*[a-z][a-z0-9_]{0,63}(\\s*,\\s*[a-z][a-z0-9_]{0,63})*\\s*$',
  'must be a comma-separated list of event types, e.g. "user_account,user_session"',
);

export const WebhookEventTokenSchema = Type.String({ pattern: EVENT_TOKEN });

/**
 * The webhook entity of the webhooks service (Jive seed). With `object` it is a content webhook
 * (optionally filtered by content type); without, a system webhook over one or more categories.
 * `events` is a comma-separated string as in the seed's curl examples, or an array.
 */
export const WebhookEntitySchema = Type.Object(
  {
    events: Type.Optional(
      Type.Union([Type.String({ pattern: EVENT_LIST, maxLength: 1024 }), Type.Array(WebhookEventTokenSchema, { minItems: 1, maxItems: 50 })], {
        description: `Content types (content webhook) or system categories: ${SYSTEM_CATEGORIES.join(', ')}`,
      }),
    ),
    callback: HttpUrl({ description: 'Events are POSTed to this URL' }),
    object: Type.Optional(Uri({ description: 'URI of the container or content object to watch' })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    ...webhookExtensionProperties,
    ...jiveTuningProperties,
  },
  {
    title: 'WebhookEntity',
    additionalProperties: false,
    // Without an object, `events` is what the webhook is about.
    allOf: [{ if: { type: 'object', not: requires('object') }, then: requires('events') }],
  },
);
export type WebhookEntity = Static<typeof WebhookEntitySchema>;
