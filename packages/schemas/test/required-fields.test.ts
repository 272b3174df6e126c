// Programmatic negative cases, generated from the exported JSON Schemas and the fixtures:
// every required field removed, every field of the wrong type, every bounded value out of range.
// Each must be rejected with an error naming the mutated field's path.
import {
  EVENT_CATALOGUE,
  EVENT_TYPES,
  fixtures,
  jsonSchemas,
  normalizeWebhookRequest,
  validate,
  validateDeadLetter,
  validateDeliveryJob,
  validateEvent,
  validateInvalidEventRecord,
  createDeadLetter,
  createInvalidEventRecord,
  toJsonSchema,
} from '../src/index.js';
import type { ValidationError } from '../src/index.js';
import { applyCase, outOfRangeCases, requiredFieldCases, wrongTypeCases } from './helpers/schema-walk.js';
import type { MutationCase } from './helpers/schema-walk.js';

type Schema = Record<string, unknown>;

interface Subject {
  name: string;
  schema: Schema;
  instance: unknown;
  run: (value: unknown) => { ok: true } | { ok: false; errors: ValidationError[] };
}

function envelopeSchemaFor(type: string): Schema {
  const entry = EVENT_CATALOGUE[type as keyof typeof EVENT_CATALOGUE];
  const envelope = jsonSchemas.CloudEvent as Schema & { properties: Schema };
  return { ...envelope, properties: { ...envelope.properties, data: toJsonSchema(entry.published) } };
}

const eventSubjects: Subject[] = EVENT_TYPES.map((type) => ({
  name: `event ${type}`,
  schema: envelopeSchemaFor(type),
  instance: fixtures.envelope(type),
  run: validateEvent,
}));

const deliveredSubjects: Subject[] = EVENT_TYPES.map((type) => ({
  name: `delivered ${type}`,
  schema: toJsonSchema(EVENT_CATALOGUE[type].delivered),
  instance: fixtures.deliveredBody(type),
  run: (v) => validate(EVENT_CATALOGUE[type].delivered, v),
}));

const webhookSubjects: Subject[] = Object.entries(fixtures.webhookRequests).map(([name, body]) => ({
  name: `webhook request ${name}`,
  schema: ('callback' in body ? jsonSchemas.WebhookEntity : jsonSchemas.NotificationConfig) as Schema,
  instance: body,
  run: normalizeWebhookRequest,
}));

const job = fixtures.deliveryJob('replied-message');
const failedAttempt = { attempt: 1, at: '2024-03-14T09:26:53.000Z', duration_ms: 10_000, status_code: 503, error: 'Service Unavailable' };
const recordSubjects: Subject[] = [
  {
    name: 'delivery job',
    schema: jsonSchemas.DeliveryJob as Schema,
    instance: { ...job, previous_attempts: [failedAttempt], trace: { published_at: 1 } },
    run: validateDeliveryJob,
  },
  {
    name: 'dead letter',
    schema: jsonSchemas.DeadLetter as Schema,
    instance: createDeadLetter(job, 'retries_exhausted', [failedAttempt]),
    run: validateDeadLetter,
  },
  {
    name: 'invalid-event record',
    schema: jsonSchemas.InvalidEventRecord as Schema,
    instance: createInvalidEventRecord({
      reason: 'schema',
      errors: [{ path: '/type', message: 'unknown event type', rule: 'catalogue' }],
      original: '{"type":"nope"}',
      source: { topic: 'events', partition: 3, offset: '1042' },
      headers: { 'content-type': 'application/json' },
    }),
    run: validateInvalidEventRecord,
  },
];

const subjects = [...eventSubjects, ...deliveredSubjects, ...webhookSubjects, ...recordSubjects];

// A version field set to another value is a version error, reported as such by the readers.
function expectedRule(c: MutationCase): string | undefined {
  if (c.rule === 'const' && (c.pointer === '/v' || c.pointer === '/specversion')) return 'version';
  return c.rule;
}

function expectRejected(subject: Subject, c: MutationCase): void {
  const result = subject.run(applyCase(subject.instance, c));
  if (result.ok) throw new Error(`${subject.name}: ${c.label} was accepted`);
  const atPath = result.errors.filter((e) => e.path === c.pointer);
  const rule = expectedRule(c);
  const matched = rule === undefined ? atPath : atPath.filter((e) => e.rule === rule);
  if (matched.length === 0) {
    throw new Error(`${subject.name}: ${c.label}: no ${rule ?? ''} error at ${c.pointer}; got ${JSON.stringify(result.errors)}`);
  }
}

describe.each(subjects)('$name', (subject) => {
  it('is valid as given', () => {
    const result = subject.run(subject.instance);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  const required = requiredFieldCases(subject.schema, subject.instance);
  it('has required fields to remove', () => expect(required.length).toBeGreaterThan(0));
  it.each(required.map((c) => [c.label, c] as const))('rejects %s', (_label, c) => expectRejected(subject, c));
  it.each(wrongTypeCases(subject.schema, subject.instance).map((c) => [c.label, c] as const))('rejects %s', (_label, c) => expectRejected(subject, c));
  it.each(outOfRangeCases(subject.schema, subject.instance).map((c) => [c.label, c] as const))('rejects %s', (_label, c) => expectRejected(subject, c));
});
