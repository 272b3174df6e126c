import type { TSchema } from '@sinclair/typebox';
import { EVENT_CATALOGUE } from './events/catalogue.js';
import { CommentContentItemSchema, NotificationCommentSchema, NotificationUserSchema } from './events/notification.js';
import { ActivityActorSchema, ActivityObjectSchema, SystemSubjectSchema } from './events/activity.js';
import { CloudEventSchema } from './envelope.js';
import { AttemptRecordSchema, DeadLetterSchema, DeliveryJobSchema, InvalidEventRecordSchema } from './jobs.js';
import { JwtAuthConfigSchema, TokenAuthConfigSchema } from './webhooks/auth.js';
import { NotificationConfigSchema, RegisteredEventsSchema } from './webhooks/notification-config.js';
import { WebhookEntitySchema } from './webhooks/service-entity.js';
import { WebhookSpecSchema } from './webhooks/spec.js';
import { WebhookRequestSchema } from './webhooks/normalize.js';
import { ValidationErrorSchema } from './error-schema.js';

/** The dialect every exported JSON Schema is written in (OpenAPI 3.1's default). */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A TypeBox schema as plain JSON Schema: TypeBox's symbol keys dropped, nothing shared. */
export function toJsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** Component name of an event schema: OpenAPI names allow only [A-Za-z0-9._-]. */
function eventSchemaName(type: string, family: string, delivered: boolean): string {
  const base = family === 'notification' ? 'NotificationData' : family === 'content' ? 'ContentActivity' : 'SystemActivity';
  const name = delivered ? (family === 'notification' ? 'DeliveredNotification' : `Delivered${base}`) : base;
  return `${name}.${type.replace(/^jive:/, '')}`;
}

const named: Record<string, TSchema> = {
  CloudEvent: CloudEventSchema,
  NotificationUser: NotificationUserSchema,
  NotificationComment: NotificationCommentSchema,
  CommentContentItem: CommentContentItemSchema,
  ActivityObject: ActivityObjectSchema,
  ActivityActor: ActivityActorSchema,
  SystemSubject: SystemSubjectSchema,
  DeliveryJob: DeliveryJobSchema,
  AttemptRecord: AttemptRecordSchema,
  DeadLetter: DeadLetterSchema,
  InvalidEventRecord: InvalidEventRecordSchema,
  NotificationConfig: NotificationConfigSchema,
  TokenAuthConfig: TokenAuthConfigSchema,
  JwtAuthConfig: JwtAuthConfigSchema,
  RegisteredEvents: RegisteredEventsSchema,
  WebhookEntity: WebhookEntitySchema,
  WebhookRequest: WebhookRequestSchema,
  WebhookSpec: WebhookSpecSchema,
  ValidationError: ValidationErrorSchema,
};
for (const entry of Object.values(EVENT_CATALOGUE)) {
  named[eventSchemaName(entry.type, entry.family, false)] = entry.published;
  named[eventSchemaName(entry.type, entry.family, true)] = entry.delivered;
}

/**
 * JSON Schema (draft 2020-12, self-contained, no $ref) of every shape of the contract, keyed by a
 * name usable as an OpenAPI 3.1 component name, e.g. `CloudEvent`, `NotificationConfig`,
 * `NotificationData.replied-message`, `DeliveredNotification.replied-message`,
 * `ContentActivity.created`, `SystemActivity.user_account_created`.
 */
export const jsonSchemas: Readonly<Record<string, Record<string, unknown>>> = Object.freeze(
  Object.fromEntries(Object.entries(named).map(([name, schema]) => [name, toJsonSchema(schema)])),
);

/** The TypeBox schema behind each {@link jsonSchemas} entry, for validating against it by name. */
export const namedSchemas: Readonly<Record<string, TSchema>> = Object.freeze({ ...named });
