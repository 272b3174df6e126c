import type { TSchema } from '@sinclair/typebox';
import { canonicalNotificationType, NOTIFICATION_TYPES, notificationSchemas } from './notification.js';
import type { NotificationType } from './notification.js';
import { CONTENT_VERBS, contentActivitySchemas, SYSTEM_VERB_CATEGORY, SYSTEM_VERBS, systemActivitySchemas } from './activity.js';
import type { ContentVerb, SystemCategory, SystemVerb } from './activity.js';

/** A catalogue key: a canonical notification type or a jive: verb. */
export type EventType = NotificationType | ContentVerb | SystemVerb;
export type EventFamily = 'notification' | 'content' | 'system';

export interface CatalogueEntry {
  type: EventType;
  family: EventFamily;
  /** Schema of the CloudEvent `data` as published. */
  published: TSchema;
  /** Schema of the body the partner receives for one event. */
  delivered: TSchema;
  /** System category of a system verb (what a system webhook subscribes to). */
  category?: SystemCategory;
}

/** Every catalogue key: nine notification types, six content verbs, the system verbs. */
export const EVENT_TYPES: readonly EventType[] = [...NOTIFICATION_TYPES, ...CONTENT_VERBS, ...SYSTEM_VERBS];

const entries: Array<[EventType, CatalogueEntry]> = [
  ...NOTIFICATION_TYPES.map((type): [EventType, CatalogueEntry] => [type, { type, family: 'notification', ...notificationSchemas[type] }]),
  ...CONTENT_VERBS.map((type): [EventType, CatalogueEntry] => [type, { type, family: 'content', ...contentActivitySchemas[type] }]),
  ...SYSTEM_VERBS.map((type): [EventType, CatalogueEntry] => [
    type,
    { type, family: 'system', category: SYSTEM_VERB_CATEGORY[type], ...systemActivitySchemas[type] },
  ]),
];

/** The event catalogue, keyed by canonical type. */
export const EVENT_CATALOGUE: Readonly<Record<EventType, CatalogueEntry>> = Object.freeze(Object.fromEntries(entries) as Record<EventType, CatalogueEntry>);

/** Canonical catalogue key of an event type (notification aliases resolved); `undefined` if unknown. */
export function canonicalEventType(type: string): EventType | undefined {
  if (Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, type)) return type as EventType;
  return canonicalNotificationType(type);
}

/** The catalogue entry of a type or alias. */
export function catalogueEntry(type: string): CatalogueEntry | undefined {
  const canonical = canonicalEventType(type);
  return canonical === undefined ? undefined : EVENT_CATALOGUE[canonical];
}
