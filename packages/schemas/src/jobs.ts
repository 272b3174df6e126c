import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { DateTime, EpochMillis, Id, JsonObject, TenantId, Uuid } from './primitives.js';
import { validate, validatorFor } from './validation.js';
import type { ValidationError, ValidationResult } from './validation.js';
import { RECORD_VERSION, unsupportedVersion } from './versioning.js';
import { deliveryId } from './ids.js';
import { MAX_ERROR_TEXT_LENGTH } from './limits.js';

/** One HTTP attempt of a delivery, as the audit and the dead letter record it. */
export const AttemptRecordSchema = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1, description: '1-based attempt number' }),
    at: DateTime({ description: 'When the attempt started' }),
    duration_ms: Type.Integer({ minimum: 0 }),
    status_code: Type.Optional(Type.Integer({ minimum: 100, maximum: 599, description: 'HTTP status, absent when no response came' })),
    error: Type.Optional(Type.String({ maxLength: MAX_ERROR_TEXT_LENGTH, description: 'Network error or reason of failure' })),
  },
  { title: 'AttemptRecord' },
);
export type AttemptRecord = Static<typeof AttemptRecordSchema>;

/**
 * A unit of work on `deliveries` (and, with a later `due_at`, on the retry topics): deliver one
 * rendered event to one webhook. It carries no secret: credentials are looked up by webhook_id
 * when the request is made, so topics and dead letters never hold them.
 */
export const DeliveryJobSchema = Type.Object(
  {
    v: Type.Literal(RECORD_VERSION),
    delivery_id: Uuid({ description: 'deliveryId(event_id, webhook_id)' }),
    event_id: Id(),
    tenant_id: TenantId(),
    webhook_id: Id(),
    webhook_revision: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Revision of the webhook the event was matched against: the worker uses that revision or a newer one' }),
    ),
    ordering_key: Type.Optional(
      Type.String({
        maxLength: 1024,
        description:
          "FIFO webhooks only: the event's subject, or '' for events without one (they share the tenant's key); deliveries of one key go one at a time, in order",
      }),
    ),
    event_type: Type.String({ minLength: 1, maxLength: 256, description: 'Canonical catalogue type' }),
    attempt: Type.Integer({ minimum: 1, description: '1-based number of the attempt to make, within the cycle' }),
    cycle: Type.Optional(Type.Integer({ minimum: 0, description: 'Delivery cycle: 0 for the original delivery, +1 for each manual retry or replay' })),
    due_at: Type.Optional(EpochMillis({ description: 'Not before this time (epoch ms); absent or 0 means now' })),
    created_at: DateTime(),
    body: JsonObject({ description: 'Rendered JSON the partner receives' }),
    envelope: Type.Optional(
      Type.Object(
        {
          source: Type.String({ maxLength: 2048 }),
          subject: Type.Optional(Type.String({ maxLength: 2048 })),
          time: Type.Optional(Type.String({ maxLength: 256 })),
        },
        { description: "The event's CloudEvents members a webhook's transform reads besides id, type and the body" },
      ),
    ),
    trace: Type.Optional(Type.Object({ published_at: Type.Optional(EpochMillis({ description: 'When the event was published' })) })),
    previous_attempts: Type.Optional(
      Type.Array(AttemptRecordSchema, { maxItems: 100, description: 'Attempts already made, so a dead letter can be written without a database read' }),
    ),
  },
  { title: 'DeliveryJob' },
);
export type DeliveryJob = Static<typeof DeliveryJobSchema>;

/** The final record of a delivery that will not be retried, on `deliveries.dlq`. */
export const DeadLetterSchema = Type.Object(
  {
    v: Type.Literal(RECORD_VERSION),
    job: DeliveryJobSchema,
    reason: Type.String({ minLength: 1, maxLength: 1024, examples: ['retries_exhausted', 'non_retryable_status', 'webhook_deleted'] }),
    failed_at: DateTime(),
    attempts: Type.Array(AttemptRecordSchema, { maxItems: 100 }),
  },
  { title: 'DeadLetter' },
);
export type DeadLetter = Static<typeof DeadLetterSchema>;

export const RecordedErrorSchema = Type.Object(
  {
    path: Type.String({ maxLength: 2048, description: 'JSON Pointer' }),
    message: Type.String({ maxLength: MAX_ERROR_TEXT_LENGTH }),
    rule: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { title: 'RecordedError' },
);

const MAX_RECORDED_ERRORS = 1000;

/** A message of `events` that could not be accepted, kept on `events.invalid` byte for byte. */
export const InvalidEventRecordSchema = Type.Object(
  {
    v: Type.Literal(RECORD_VERSION),
    reason: Type.String({ minLength: 1, maxLength: 1024, examples: ['not_json', 'schema', 'too_large'] }),
    errors: Type.Array(RecordedErrorSchema, { maxItems: MAX_RECORDED_ERRORS }),
    original_base64: Type.String({ contentEncoding: 'base64', description: 'The original message value, base64' }),
    source: Type.Object({
      topic: Type.String({ minLength: 1, maxLength: 249 }),
      partition: Type.Integer({ minimum: 0 }),
      offset: Type.String({ pattern: '^[0-9]+$', maxLength: 20, description: 'Kafka offset (int64 as a decimal string)' }),
    }),
    headers: Type.Record(Type.String(), Type.String(), { description: 'Message headers, UTF-8 decoded' }),
    received_at: DateTime(),
  },
  { title: 'InvalidEventRecord' },
);
export type InvalidEventRecord = Static<typeof InvalidEventRecordSchema>;

function readVersioned<T>(value: unknown, kind: string, run: () => ValidationResult<T>): ValidationResult<T> {
  const versionError = unsupportedVersion(value, kind);
  return versionError ? { ok: false, errors: [versionError] } : run();
}

/** Validates a delivery job read from Kafka; an unknown major version is a clear `/v` error. */
export function validateDeliveryJob(value: unknown): ValidationResult<DeliveryJob> {
  return readVersioned(value, 'delivery job', () => validate(DeliveryJobSchema, value));
}

/**
 * Compiles the delivery job's validator now rather than for the first job read: about 60 ms on
 * this machine, which the first job after every start would otherwise wait (and, in a fan-out of
 * 10,000 deliveries right after a start, a twentieth of its time; issue 15).
 */
export function prepareDeliveryJobValidator(): void {
  validatorFor(DeliveryJobSchema);
}

export function validateDeadLetter(value: unknown): ValidationResult<DeadLetter> {
  return readVersioned(value, 'dead letter', () => validate(DeadLetterSchema, value));
}

export function validateInvalidEventRecord(value: unknown): ValidationResult<InvalidEventRecord> {
  return readVersioned(value, 'invalid-event record', () => validate(InvalidEventRecordSchema, value));
}

export interface NewDeliveryJob {
  event_id: string;
  tenant_id: string;
  webhook_id: string;
  webhook_revision?: number;
  /** Set for FIFO webhooks only. */
  ordering_key?: string;
  event_type: string;
  body: Record<string, unknown>;
  envelope?: DeliveryJob['envelope'];
  published_at?: number;
  now?: Date;
}

/** The first-attempt job of an event for a webhook, with its deterministic delivery id. */
export function createDeliveryJob(input: NewDeliveryJob): DeliveryJob {
  const job: DeliveryJob = {
    v: RECORD_VERSION,
    delivery_id: deliveryId(input.event_id, input.webhook_id),
    event_id: input.event_id,
    tenant_id: input.tenant_id,
    webhook_id: input.webhook_id,
    ...(input.webhook_revision !== undefined ? { webhook_revision: input.webhook_revision } : {}),
    ...(input.ordering_key !== undefined ? { ordering_key: input.ordering_key } : {}),
    event_type: input.event_type,
    attempt: 1,
    due_at: 0,
    created_at: (input.now ?? new Date()).toISOString(),
    body: input.body,
  };
  if (input.envelope !== undefined) job.envelope = input.envelope;
  if (input.published_at !== undefined) job.trace = { published_at: input.published_at };
  return job;
}

/** The job of the next attempt after `failed`: attempt + 1, not before `dueAt`, history kept. */
export function nextAttemptJob(job: DeliveryJob, failed: AttemptRecord, dueAt: number): DeliveryJob {
  return { ...job, attempt: job.attempt + 1, due_at: dueAt, previous_attempts: [...(job.previous_attempts ?? []), failed] };
}

/** The dead letter of a job; `attempts` defaults to the history the job carries. */
export function createDeadLetter(job: DeliveryJob, reason: string, attempts?: AttemptRecord[], failedAt: Date = new Date()): DeadLetter {
  return { v: RECORD_VERSION, job, reason, failed_at: failedAt.toISOString(), attempts: attempts ?? job.previous_attempts ?? [] };
}

export interface InvalidEventInput {
  reason: string;
  errors: ReadonlyArray<Pick<ValidationError, 'path' | 'message'> & { rule?: string }>;
  original: Uint8Array | string | null;
  source: { topic: string; partition: number; offset: string };
  headers?: Record<string, string | Uint8Array | undefined | null>;
  receivedAt?: Date;
}

/** The `events.invalid` record of a rejected message; header values are decoded as UTF-8. */
export function createInvalidEventRecord(input: InvalidEventInput): InvalidEventRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value === undefined || value === null) continue;
    headers[name] = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
  }
  const original =
    input.original === null ? Buffer.alloc(0) : typeof input.original === 'string' ? Buffer.from(input.original, 'utf8') : Buffer.from(input.original);
  return {
    v: RECORD_VERSION,
    reason: input.reason,
    errors: input.errors.slice(0, MAX_RECORDED_ERRORS).map((e) => ({ path: e.path, message: e.message, ...(e.rule ? { rule: e.rule } : {}) })),
    original_base64: original.toString('base64'),
    source: { ...input.source },
    headers,
    received_at: (input.receivedAt ?? new Date()).toISOString(),
  };
}
