import { Type } from '@sinclair/typebox';
import type { Static, TProperties } from '@sinclair/typebox';
import { EpochSeconds, HttpUrl, Id, Name, requires, StringEnum } from '../primitives.js';
import { MAX_COMMENT_TEXT_LENGTH, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_TITLE_LENGTH } from '../limits.js';

/** The nine notification event types of the notification webhook seed, canonical spelling. */
export const NOTIFICATION_TYPES = [
  'followee-commented',
  'liked-message',
  'message-approved',
  'message-rejected',
  'replied-message',
  'topic-by-author',
  'topic-by-keyword',
  'user-followed',
  'user-mentioned',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * Spellings the seed itself uses besides the canonical one: `liked-messages` in its type list,
 * `replied-your-message` in a configuration example. Accepted on input, never produced.
 */
export const NOTIFICATION_TYPE_ALIASES = {
  'liked-messages': 'liked-message',
  'replied-your-message': 'replied-message',
} as const satisfies Record<string, NotificationType>;
export type NotificationTypeAlias = keyof typeof NOTIFICATION_TYPE_ALIASES;
export type NotificationTypeName = NotificationType | NotificationTypeAlias;

/** Canonical names followed by the aliases: every spelling accepted on input. */
export const NOTIFICATION_TYPE_NAMES: readonly NotificationTypeName[] = [
  ...NOTIFICATION_TYPES,
  ...(Object.keys(NOTIFICATION_TYPE_ALIASES) as NotificationTypeAlias[]),
];

const canonicalByName = new Map<string, NotificationType>([...NOTIFICATION_TYPES.map((t) => [t, t] as const), ...Object.entries(NOTIFICATION_TYPE_ALIASES)]);

/** The canonical notification type for a canonical name or an alias; `undefined` if unknown. */
export function canonicalNotificationType(name: string): NotificationType | undefined {
  return canonicalByName.get(name);
}

/** Every accepted spelling of one canonical type (itself first). */
export function notificationTypeNames(type: NotificationType): NotificationTypeName[] {
  return NOTIFICATION_TYPE_NAMES.filter((n) => canonicalByName.get(n) === type);
}

export const NOTIFICATION_CHANNELS = ['email', 'in-app'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export const ChannelSchema = StringEnum(NOTIFICATION_CHANNELS, { description: 'Notification channel' });

/** Channels the recipient wants this notification on; an empty list means nothing to deliver. */
export const ChannelsSchema = Type.Array(ChannelSchema, { minItems: 1, maxItems: NOTIFICATION_CHANNELS.length, uniqueItems: true });

export const NotificationUserSchema = Type.Object(
  {
    user_id: Id({ description: 'OpenWeb user identifier' }),
    sso_user_id: Type.Optional(Id({ description: 'Partner user identifier; not returned for non-SSO implementations' })),
    user_name: Name({ description: 'Unique personal identifier' }),
    display_name: Name({ description: 'Non-unique display name' }),
    registered: Type.Boolean({ description: 'Whether the user is registered (false for guests)' }),
  },
  { title: 'NotificationUser' },
);
export type NotificationUser = Static<typeof NotificationUserSchema>;

// The seed: "For the user-followed follower object and followee-commented followee object, the
// value is always true. A guest cannot follow or be followed".
const RegisteredUserSchema = Type.Object(
  { ...NotificationUserSchema.properties, registered: Type.Literal(true, { description: 'Always true: a guest cannot follow or be followed' }) },
  { title: 'RegisteredNotificationUser' },
);

export const COMMENT_CONTENT_TYPES = ['text', 'image', 'animation'] as const;
export type CommentContentType = (typeof COMMENT_CONTENT_TYPES)[number];

export const CommentContentItemSchema = Type.Object(
  {
    type: StringEnum(COMMENT_CONTENT_TYPES),
    text: Type.Optional(Type.String({ maxLength: MAX_COMMENT_TEXT_LENGTH, description: 'HTML-encoded text (type text)' })),
    url: Type.Optional(HttpUrl({ description: 'URL of the image or animation (types image, animation)' })),
  },
  {
    title: 'CommentContentItem',
    allOf: [
      { if: { type: 'object', properties: { type: { const: 'text' } }, required: ['type'] }, then: requires('text') },
      { if: { type: 'object', properties: { type: { enum: ['image', 'animation'] } }, required: ['type'] }, then: requires('url') },
    ],
  },
);
export type CommentContentItem = Static<typeof CommentContentItemSchema>;

const COMBINATIONS = 'content must be one of: text, image, animation, text + image, text + animation';

/** Parts of a comment. The seed allows exactly: text, animation, image, text+animation, text+image. */
export const CommentContentSchema = Type.Array(CommentContentItemSchema, {
  minItems: 1,
  maxItems: 2,
  description: 'Allowed combinations: text, animation, image, text + animation, text + image (any order)',
  allOf: [
    {
      not: {
        description: `${COMBINATIONS} (found two text parts)`,
        type: 'array',
        minItems: 2,
        items: { type: 'object', properties: { type: { const: 'text' } } },
      },
    },
    {
      not: {
        description: `${COMBINATIONS} (found two image/animation parts)`,
        type: 'array',
        minItems: 2,
        items: { type: 'object', properties: { type: { enum: ['image', 'animation'] } } },
      },
    },
  ],
});

const commentProperties = {
  content: CommentContentSchema,
  comment_id: Id({ description: 'Unique identifier of the comment or reply' }),
  type: StringEnum(['comment', 'reply'] as const, { description: 'Type of comment' }),
  timestamp: EpochSeconds({ description: 'Time of the comment or reply, Unix epoch seconds' }),
  state: Type.Optional(StringEnum(['approved', 'rejected'] as const, { description: 'Approval status (message-approved / message-rejected)' })),
};

export const NotificationCommentSchema = Type.Object(commentProperties, { title: 'NotificationComment' });
export type NotificationComment = Static<typeof NotificationCommentSchema>;

const ApprovedCommentSchema = Type.Object({ ...commentProperties, state: Type.Literal('approved') }, { title: 'ApprovedComment' });
const RejectedCommentSchema = Type.Object({ ...commentProperties, state: Type.Literal('rejected') }, { title: 'RejectedComment' });
const ReplySchema = Type.Object({ ...commentProperties, type: Type.Literal('reply') }, { title: 'NotificationReply' });

const conversation = {
  conversation_id: Id({ description: 'Spot ID and post ID combined' }),
  conversation_title: Type.String({ maxLength: MAX_TITLE_LENGTH, description: 'Title of the article' }),
};

const Keywords = Type.Array(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }), { minItems: 1, maxItems: 100 });

const topic = {
  ...conversation,
  description: Type.String({ maxLength: MAX_DESCRIPTION_LENGTH, description: 'Description of the article' }),
  timestamp: EpochSeconds({ description: 'Time the topic was posted, Unix epoch seconds' }),
};

/**
 * Both forms of one notification type. `published` is what a publisher sends as CloudEvent data:
 * `event_id` may be left out (the matcher fills it from the CloudEvent id) and `type` may be left
 * out or be any spelling of this type. `delivered` is the body a partner receives: both present,
 * `type` canonical.
 */
function defineNotification<N extends NotificationType, P extends TProperties>(type: N, props: P, description: string) {
  const title = type
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  const common = {
    channels: ChannelsSchema,
    action_link: HttpUrl({ description: 'URL of the comment, the article, or the user profile' }),
    user: NotificationUserSchema,
  };
  return {
    published: Type.Object(
      {
        event_id: Type.Optional(Id({ description: 'Unique event id; defaults to the CloudEvent id' })),
        type: Type.Optional(StringEnum(notificationTypeNames(type), { description: 'Any accepted spelling of the envelope type' })),
        ...common,
        ...props,
      },
      { title: `${title}Data`, description },
    ),
    delivered: Type.Object(
      {
        event_id: Id({ description: 'Unique event id, for deduplication by the receiver' }),
        type: Type.Literal(type),
        ...common,
        ...props,
      },
      { title: `${title}Notification`, description },
    ),
  };
}

export const notificationSchemas = {
  'followee-commented': defineNotification(
    'followee-commented',
    { ...conversation, comment: NotificationCommentSchema, followee: RegisteredUserSchema },
    'Someone you follow commented or replied',
  ),
  'liked-message': defineNotification(
    'liked-message',
    {
      ...conversation,
      comment: NotificationCommentSchema,
      total_count: Type.Integer({ minimum: 0, description: 'Number of likes of the comment or reply' }),
      liker: NotificationUserSchema,
    },
    'Someone liked your message',
  ),
  'message-approved': defineNotification('message-approved', { ...conversation, comment: ApprovedCommentSchema }, 'Your message was approved'),
  'message-rejected': defineNotification('message-rejected', { ...conversation, comment: RejectedCommentSchema }, 'Your message was rejected'),
  'replied-message': defineNotification(
    'replied-message',
    { ...conversation, comment: NotificationCommentSchema, replier: NotificationUserSchema, reply: ReplySchema },
    'Someone replied to your message',
  ),
  'topic-by-author': defineNotification(
    'topic-by-author',
    { ...topic, authors: Keywords, keywords: Type.Optional(Keywords) },
    'There is a new article from an author you are following',
  ),
  'topic-by-keyword': defineNotification(
    'topic-by-keyword',
    { ...topic, keywords: Keywords, authors: Type.Optional(Keywords) },
    'There is a new topic by a keyword you are following',
  ),
  // The seed's user-followed example has no conversation: following is not about an article.
  'user-followed': defineNotification(
    'user-followed',
    {
      conversation_id: Type.Optional(conversation.conversation_id),
      conversation_title: Type.Optional(conversation.conversation_title),
      follower: RegisteredUserSchema,
    },
    'Someone started following you',
  ),
  'user-mentioned': defineNotification(
    'user-mentioned',
    { ...conversation, comment: NotificationCommentSchema, mentioner: NotificationUserSchema },
    'Someone mentioned you in a comment',
  ),
} as const;

type Schemas = typeof notificationSchemas;
/** Notification data as published (CloudEvent `data`), per type. */
export type NotificationData<T extends NotificationType = NotificationType> = { [K in T]: Static<Schemas[K]['published']> }[T];
/** Notification body as delivered to the partner, per type. */
export type DeliveredNotification<T extends NotificationType = NotificationType> = { [K in T]: Static<Schemas[K]['delivered']> }[T];
