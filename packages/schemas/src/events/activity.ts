import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { DateTime, HttpUrl, JsonObject, Uri } from '../primitives.js';
import { MAX_ACTIVITY_CONTENT_CHARS, MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_TITLE_LENGTH } from '../limits.js';

/** Verbs of content webhooks (the Jive seed's content events). */
export const CONTENT_VERBS = ['jive:created', 'jive:modified', 'jive:commented', 'jive:replied', 'jive:liked', 'jive:outcome_set'] as const;
export type ContentVerb = (typeof CONTENT_VERBS)[number];

/** System event categories (the `events` of a system webhook) and the verbs each one covers. */
export const SYSTEM_EVENT_CATEGORIES = {
  user_account: [
    'jive:user_account_created',
    'jive:user_account_deleted',
    'jive:user_account_disabled',
    'jive:user_account_enabled',
    'jive:user_account_invisible',
    'jive:user_account_visible',
    'jive:user_profile_modified',
    'jive:user_type_modified',
  ],
  user_session: ['jive:user_session_login', 'jive:user_session_logout'],
  user_membership: ['jive:user_membership_added', 'jive:user_membership_removed'],
  social_group: ['jive:social_group_created', 'jive:social_group_renamed', 'jive:social_group_deleted'],
  stream: [
    'jive:stream_config_created',
    'jive:stream_config_modified',
    'jive:stream_config_deleted',
    'jive:stream_association_added',
    'jive:stream_association_removed',
  ],
  webhook: [
    'jive:webhook_created',
    'jive:webhook_deleted',
    'jive:webhook_enabled',
    'jive:webhook_disabled',
    'jive:webhook_marked_buggy',
    'jive:webhook_marked_not_buggy',
    'jive:webhook_secret_rotated',
  ],
} as const;
export type SystemCategory = keyof typeof SYSTEM_EVENT_CATEGORIES;
export type SystemVerb = (typeof SYSTEM_EVENT_CATEGORIES)[SystemCategory][number];

export const SYSTEM_CATEGORIES = Object.keys(SYSTEM_EVENT_CATEGORIES) as SystemCategory[];

/** Every system verb, category by category. */
export const SYSTEM_VERBS: readonly SystemVerb[] = SYSTEM_CATEGORIES.flatMap((c) => SYSTEM_EVENT_CATEGORIES[c]);

/** verb -> category, the inverse of {@link SYSTEM_EVENT_CATEGORIES}. */
export const SYSTEM_VERB_CATEGORY = Object.fromEntries(SYSTEM_CATEGORIES.flatMap((c) => SYSTEM_EVENT_CATEGORIES[c].map((v) => [v, c]))) as Readonly<
  Record<SystemVerb, SystemCategory>
>;

export function isSystemCategory(name: string): name is SystemCategory {
  return Object.prototype.hasOwnProperty.call(SYSTEM_EVENT_CATEGORIES, name);
}

/** The category of a system verb; `undefined` for anything else. */
export function systemCategoryOf(verb: string): SystemCategory | undefined {
  return Object.prototype.hasOwnProperty.call(SYSTEM_VERB_CATEGORY, verb) ? SYSTEM_VERB_CATEGORY[verb as SystemVerb] : undefined;
}

const ObjectType = Type.String({ minLength: 1, maxLength: 128, description: 'Activity object type, e.g. jive:document or place' });

/**
 * The subject (`object`) or container (`target`) of a content activity. The matcher routes content
 * events by these ids, so an id (URI) and a type are the minimum; anything else passes through.
 */
export const ActivityObjectSchema = Type.Object(
  {
    id: Uri({ description: 'URI of the object, e.g. https://sample.jiveon.com/api/core/v3/contents/1234' }),
    objectType: ObjectType,
    displayName: Type.Optional(Type.String({ maxLength: MAX_TITLE_LENGTH })),
    url: Type.Optional(HttpUrl()),
  },
  { title: 'ActivityObject' },
);
export type ActivityObject = Static<typeof ActivityObjectSchema>;

export const ActivityActorSchema = Type.Object(
  {
    id: Type.Optional(Uri({ description: 'URI of the user' })),
    objectType: Type.Optional(ObjectType),
    displayName: Type.Optional(Type.String({ maxLength: MAX_NAME_LENGTH })),
  },
  { title: 'ActivityActor', description: 'The Jive user who performed the activity' },
);

function defineContentActivity<V extends ContentVerb>(verb: V) {
  const properties = {
    verb: Type.Literal(verb),
    object: ActivityObjectSchema,
    url: Type.Optional(HttpUrl({ description: 'HTML URI of the subject' })),
    content: Type.Optional(
      Type.String({ maxLength: MAX_ACTIVITY_CONTENT_CHARS, description: 'Summary of the event: the subject/title of the object, if available' }),
    ),
    title: Type.Optional(Type.String({ maxLength: MAX_TITLE_LENGTH, description: 'Title of the subject' })),
    actor: Type.Optional(ActivityActorSchema),
    jive: Type.Optional(JsonObject({ description: 'The parent of the content object' })),
    target: Type.Optional(ActivityObjectSchema),
    published: DateTime({ description: 'When the activity was generated' }),
    updated: Type.Optional(DateTime({ description: 'When the activity was most recently updated' })),
    provider: Type.Optional(JsonObject({ description: 'The originating instance' })),
  };
  const name = `ContentActivity.${verb.slice('jive:'.length)}`;
  return {
    published: Type.Object(
      { ...properties, webhook: Type.Optional(Uri({ description: 'URI of the webhook; set by the matcher' })) },
      { title: name, description: `Content activity ${verb}` },
    ),
    delivered: Type.Object(
      { ...properties, webhook: Uri({ description: 'URI of the originating webhook' }) },
      { title: `Delivered${name}`, description: `Content activity ${verb} as delivered` },
    ),
  };
}

const IdOrNumber = (description: string) => Type.Union([Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH }), Type.Integer()], { description });

/** objectID/objectType of a system event's subject, plus containerID/containerType for a container. */
export const SystemSubjectSchema = Type.Object(
  {
    objectID: IdOrNumber('Id of the subject'),
    objectType: IdOrNumber('Type of the subject'),
    containerID: Type.Optional(IdOrNumber('Id of the container, when the subject is in one')),
    containerType: Type.Optional(IdOrNumber('Type of the container')),
  },
  { title: 'SystemSubject', dependentRequired: { containerID: ['containerType'], containerType: ['containerID'] } },
);

function defineSystemActivity<V extends SystemVerb>(verb: V) {
  const properties = {
    verb: Type.Literal(verb),
    jive: SystemSubjectSchema,
    timestamp: DateTime({ description: 'When the activity was generated' }),
    provider: Type.Optional(JsonObject({ description: 'The originating instance' })),
    reason: Type.Optional(Type.String({ description: 'Why hookstream did it, for its own webhook lifecycle events (e.g. `gone`: the endpoint answered 410)' })),
  };
  const name = `SystemActivity.${verb.slice('jive:'.length)}`;
  return {
    published: Type.Object(
      { ...properties, webhook: Type.Optional(Uri({ description: 'URI of the webhook; set by the matcher' })) },
      { title: name, description: `System activity ${verb} (${SYSTEM_VERB_CATEGORY[verb]})` },
    ),
    delivered: Type.Object(
      { ...properties, webhook: Uri({ description: 'URI of the originating webhook' }) },
      { title: `Delivered${name}`, description: `System activity ${verb} as delivered` },
    ),
  };
}

export const contentActivitySchemas = Object.fromEntries(CONTENT_VERBS.map((v) => [v, defineContentActivity(v)])) as {
  [V in ContentVerb]: ReturnType<typeof defineContentActivity<V>>;
};

export const systemActivitySchemas = Object.fromEntries(SYSTEM_VERBS.map((v) => [v, defineSystemActivity(v)])) as {
  [V in SystemVerb]: ReturnType<typeof defineSystemActivity<V>>;
};

export type ContentActivity<V extends ContentVerb = ContentVerb> = { [K in V]: Static<(typeof contentActivitySchemas)[K]['published']> }[V];
export type SystemActivity<V extends SystemVerb = SystemVerb> = { [K in V]: Static<(typeof systemActivitySchemas)[K]['published']> }[V];
export type DeliveredContentActivity = Static<(typeof contentActivitySchemas)[ContentVerb]['delivered']>;
export type DeliveredSystemActivity = Static<(typeof systemActivitySchemas)[SystemVerb]['delivered']>;

interface RoutableActivity {
  object?: { id?: unknown; objectType?: unknown } | undefined;
  target?: { id?: unknown } | undefined;
  jive?: unknown;
}

/**
 * URIs a content webhook's `object` is compared with: the container (`target`), the object itself,
 * and its parent content when `jive.parent` gives one (a comment reaches a webhook that watches
 * the commented document). Distinct, in that order.
 */
export function contentRoutingKeys(activity: RoutableActivity): string[] {
  const keys: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length > 0 && !keys.includes(v)) keys.push(v);
  };
  add(activity.target?.id);
  add(activity.object?.id);
  const parent = (activity.jive as { parent?: unknown } | undefined)?.parent;
  add(typeof parent === 'object' && parent !== null ? (parent as { id?: unknown }).id : parent);
  return keys;
}

/**
 * The content type a content webhook's `events` filter names ("document" for objectType
 * "jive:document"): namespace prefix dropped, lower case. `undefined` without an objectType.
 */
export function contentTypeOf(activity: RoutableActivity): string | undefined {
  const type = activity.object?.objectType;
  if (typeof type !== 'string' || type.length === 0) return undefined;
  const colon = type.lastIndexOf(':');
  return (colon >= 0 ? type.slice(colon + 1) : type).toLowerCase();
}
