import { fixtures } from '../fixtures/index.js';
import { toJsonSchema } from '../json-schemas.js';
import { EVENT_CATALOGUE, EVENT_TYPES } from './catalogue.js';
import type { EventFamily, EventType } from './catalogue.js';
import { NOTIFICATION_CHANNELS } from './notification.js';

/** One type of the catalogue as the API lists it (`GET /v1/event-types`), for people choosing what to subscribe to. */
export interface EventTypeDescription {
  type: EventType;
  family: EventFamily;
  /**
   * Where a webhook subscribes to it: a notification type per notification channel (`email`,
   * `in-app`: the keys of `registered_events`); a content verb through a content webhook
   * (`content`), a system verb through a system webhook (`system`, by its `category`).
   */
  channel: string[];
  /** The system category a system webhook lists in `events` to receive this verb. */
  category?: string;
  description: string;
  /** JSON Schema (draft 2020-12, self-contained) of the CloudEvent `data` a publisher sends. */
  schema: Record<string, unknown>;
  /** Valid example `data` (the contract's fixture), also what a test event carries. */
  example: Record<string, unknown>;
}

function describe(type: EventType): EventTypeDescription {
  const entry = EVENT_CATALOGUE[type];
  const schema = toJsonSchema(entry.published);
  return {
    type,
    family: entry.family,
    channel: entry.family === 'notification' ? [...NOTIFICATION_CHANNELS] : [entry.family],
    ...(entry.category ? { category: entry.category } : {}),
    description: typeof schema.description === 'string' ? schema.description : type,
    schema,
    example: fixtures.eventData(type),
  };
}

let cached: readonly EventTypeDescription[] | undefined;

/** Every catalogue type with its schema and example, in catalogue order (built once: the catalogue is fixed). */
export function eventTypeDescriptions(): readonly EventTypeDescription[] {
  cached ??= Object.freeze(EVENT_TYPES.map(describe));
  return cached;
}
