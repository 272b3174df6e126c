import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { EVENT_CATALOGUE, EVENT_TYPES, fixtures, JSON_SCHEMA_DIALECT, jsonSchemas, namedSchemas, toJsonSchema } from '../src/index.js';

function freshStrictAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

function symbolsIn(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return Object.getOwnPropertySymbols(value).length + Object.values(value).reduce<number>((n, v) => n + symbolsIn(v), 0);
}

describe('exported JSON Schemas', () => {
  const names = Object.keys(jsonSchemas);

  it('cover every shape and every catalogue type, under OpenAPI-safe names', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'CloudEvent',
        'DeliveryJob',
        'DeadLetter',
        'InvalidEventRecord',
        'AttemptRecord',
        'NotificationConfig',
        'WebhookEntity',
        'WebhookRequest',
        'WebhookSpec',
        'TokenAuthConfig',
        'JwtAuthConfig',
        'NotificationUser',
        'NotificationComment',
        'CommentContentItem',
        'ActivityObject',
        'SystemSubject',
        'ValidationError',
        'NotificationData.replied-message',
        'DeliveredNotification.replied-message',
        'ContentActivity.created',
        'DeliveredContentActivity.outcome_set',
        'SystemActivity.webhook_marked_buggy',
      ]),
    );
    expect(names.length).toBeGreaterThanOrEqual(EVENT_TYPES.length * 2);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(JSON_SCHEMA_DIALECT).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it.each(Object.keys(jsonSchemas))('%s is plain JSON and valid draft 2020-12 for a fresh strict Ajv', (name) => {
    const schema = jsonSchemas[name] as Record<string, unknown>;
    expect(symbolsIn(schema)).toBe(0);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    const ajv = freshStrictAjv();
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('match the package validators on every fixture', () => {
    const ajv = freshStrictAjv();
    for (const type of EVENT_TYPES) {
      const entry = EVENT_CATALOGUE[type];
      const published = ajv.compile(toJsonSchema(entry.published));
      const delivered = ajv.compile(toJsonSchema(entry.delivered));
      expect(published(fixtures.eventData(type))).toBe(true);
      expect(delivered(fixtures.deliveredBody(type))).toBe(true);
      expect(delivered(fixtures.eventData(type))).toBe(entry.family === 'notification');
    }
    const request = ajv.compile(jsonSchemas.WebhookRequest as object);
    for (const body of Object.values(fixtures.webhookRequests)) expect(request(body)).toBe(true);
    expect(request({ ...fixtures.webhookRequests.notificationToken, retry_base: 6 })).toBe(false);
    expect(ajv.compile(jsonSchemas.CloudEvent as object)(fixtures.envelope('user-followed'))).toBe(true);
    expect(ajv.compile(jsonSchemas.DeliveryJob as object)(fixtures.deliveryJob())).toBe(true);
  });

  it('are frozen snapshots of the TypeBox schemas the validators use', () => {
    expect(Object.isFrozen(jsonSchemas)).toBe(true);
    for (const [name, schema] of Object.entries(namedSchemas)) expect(jsonSchemas[name]).toEqual(toJsonSchema(schema));
  });
});
