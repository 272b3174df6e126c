import { deliveryIdsOf, deliveryNameTail } from '../ids.js';
import { validateDeliveryJob, type DeliveryJob, type NewDeliveryJob } from '../jobs.js';
import { RECORD_VERSION } from '../versioning.js';
import type { ValidationError } from '../validation.js';
import {
  DELIVERY_ID_HEADER,
  EVENT_TYPE_HEADER,
  parseJsonValue,
  RECORD_TYPE_HEADER,
  TENANT_ID_HEADER,
  type Decoded,
  type EncodedRecord,
  type IncomingRecord,
} from './kafka-record.js';
import { jsonMemberSpan } from './json-member-span.js';
import { SharedMemberParser } from './shared-member-parse.js';
import { readTraceHeaders, traceOfJob, withTraceContext, writeTraceHeaders, type TraceCarrier } from './trace-context.js';

/**
 * `deliveries` and the retry tiers (`deliveries.retry.*`): one delivery job per record, written
 * by the matcher (first attempt), the worker (next attempt on a tier), the gateway (manual
 * retry) and the CLI (replay of dead letters).
 * - key: the webhook id, so one webhook's jobs stay in order on one partition;
 * - value: {@link DeliveryJob};
 * - headers: `hookstream-record-type: delivery-job`, `hookstream-delivery-id`, `hookstream-tenant-id`,
 *   `hookstream-event-type`, and `hookstream-replay: cli|api|recovery` on jobs queued again by a person or a re-enable;
 *   `traceparent` / `tracestate` (W3C Trace Context) when the job belongs to a trace: the decoded job
 *   keeps them (see `traceOfJob`), and every record made from it again (the next attempt, a tier hop) carries them on.
 */
export const DELIVERY_JOB_RECORD_TYPE = 'delivery-job';
export const REPLAY_HEADER = 'hookstream-replay';

/**
 * Who queued a job again: the CLI's dead-letter replay, the API's manual retry, or the recovery
 * of a buggy webhook's skipped deliveries when it is re-enabled (`recovery`).
 */
export type ReplayOrigin = 'cli' | 'api' | 'recovery';

export function encodeDeliveryJobRecord(job: DeliveryJob, options: { replay?: ReplayOrigin } = {}): EncodedRecord {
  const headers: Record<string, string> = {
    [RECORD_TYPE_HEADER]: DELIVERY_JOB_RECORD_TYPE,
    [DELIVERY_ID_HEADER]: job.delivery_id,
    [TENANT_ID_HEADER]: job.tenant_id,
    [EVENT_TYPE_HEADER]: job.event_type,
  };
  if (options.replay) headers[REPLAY_HEADER] = options.replay;
  writeTraceHeaders(headers, traceOfJob(job));
  return { key: job.webhook_id, value: JSON.stringify(job), headers };
}

// Delivery ids are UUIDs (nothing to escape): their quotes are part of the constant parts around them.
const VERSION_PART = `{"v":${JSON.stringify(RECORD_VERSION)},"delivery_id":"`;
// Revisions are small counters: the member is built once per value, not once per job.
const REVISION_PARTS = Array.from({ length: 64 }, (_, n) => `,"webhook_revision":${n}`);

/**
 * The members of a first-attempt job that name its webhook (its id and revision), serialised once
 * per webhook revision rather than once per job: the matcher keeps one per indexed webhook. Made
 * only by {@link jobWebhook}.
 */
export interface JobWebhook {
  readonly id: string;
  readonly revision: number | undefined;
  /** `"<id>"` and, with a revision, `,"webhook_revision":<n>`, as the job's JSON writes them. */
  readonly members: string;
  /** The id's end of its delivery ids' names ({@link deliveryNameTail}), copied per job rather than written. */
  readonly nameTail: Uint8Array | undefined;
}

export function jobWebhook(id: string, revision?: number): JobWebhook {
  const members = JSON.stringify(id) + (revision === undefined ? '' : (REVISION_PARTS[revision] ?? `,"webhook_revision":${JSON.stringify(revision)}`));
  return { id, revision, members, nameTail: deliveryNameTail(id) };
}

// The job's constant part before the body depends on the event's type and the slice's clock only:
// the events of one slice share one string per type instead of building their own (types are
// few; the cache holds one clock reading and is bounded anyway).
let tailsAt = NaN;
const tails = new Map<string, string>();

function tailOf(eventType: string, now: Date): string {
  const at = now.getTime();
  if (at !== tailsAt) {
    // An invalid date (NaN) never equals: toISOString throws below, as createDeliveryJob does.
    tails.clear();
    tailsAt = at;
  }
  let text = tails.get(eventType);
  if (text === undefined) {
    text = `,"event_type":${JSON.stringify(eventType)},"attempt":1,"due_at":0,"created_at":${JSON.stringify(now.toISOString())},"body":`;
    if (tails.size < 256) tails.set(eventType, text);
  }
  return text;
}

// Characters JSON.stringify writes as they are. A string of only these (ids, URIs, times) is
// quoted without a call into JSON.stringify, which costs about a microsecond per call.
const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `JSON.stringify(text)`. */
function jsonString(text: string): string {
  return PLAIN_JSON.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** `JSON.stringify(envelope)`: members in the object's own order, strings quoted by {@link jsonString}. */
function envelopeJson(envelope: NonNullable<NewDeliveryJob['envelope']>): string {
  if (typeof (envelope as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(envelope);
  let text = '{';
  for (const name in envelope) {
    if (!Object.prototype.hasOwnProperty.call(envelope, name)) continue;
    const value = (envelope as Record<string, unknown>)[name];
    // Anything else (undefined members, other keys, a prototype's members) takes the general path.
    if (typeof value !== 'string' || (name !== 'source' && name !== 'subject' && name !== 'time')) return JSON.stringify(envelope);
    text += `${text.length > 1 ? ',' : ''}"${name}":${jsonString(value)}`;
  }
  return `${text}}`;
}

/**
 * The first-attempt job records of one event, for many webhooks: `encode` gives byte for byte
 * what `encodeDeliveryJobRecord(createDeliveryJob({ ...event, webhook_id, webhook_revision, ordering_key, body }))`
 * gives, with `body` already serialised (see `deliveredBodiesOf`) and the members every job of
 * the event shares serialised once. The matcher writes one such record per (event, webhook).
 */
export class FirstAttemptJobRecords {
  private readonly eventPart: string;
  private readonly tail: string;
  private readonly trace: string;
  private readonly deliveryIdOf: (webhookId: string, nameTail?: Uint8Array) => string;
  private readonly tenantId: string;
  private readonly eventType: string;

  constructor(event: Omit<NewDeliveryJob, 'webhook_id' | 'webhook_revision' | 'ordering_key' | 'body'>) {
    this.deliveryIdOf = deliveryIdsOf(event.event_id);
    this.tenantId = event.tenant_id;
    this.eventType = event.event_type;
    this.eventPart = `","event_id":${jsonString(event.event_id)},"tenant_id":${jsonString(event.tenant_id)},"webhook_id":`;
    this.tail = tailOf(event.event_type, event.now ?? new Date());
    const envelope = event.envelope !== undefined ? `,"envelope":${envelopeJson(event.envelope)}` : '';
    const publishedAt = event.published_at;
    if (publishedAt === undefined) this.trace = `${envelope}}`;
    else this.trace = `${envelope},"trace":{"published_at":${Number.isSafeInteger(publishedAt) ? publishedAt : JSON.stringify(publishedAt)}}}`;
  }

  /** `orderingKey` for FIFO webhooks only (see DeliveryJob.ordering_key); `trace` the matcher's span for the event. */
  encode(webhookId: string, webhookRevision: number | undefined, bodyJson: string, orderingKey?: string, trace?: TraceCarrier): EncodedRecord {
    return this.encodeFor(jobWebhook(webhookId, webhookRevision), bodyJson, orderingKey, trace);
  }

  /** `encode` with the webhook's members serialised beforehand (see {@link jobWebhook}). */
  encodeFor(webhook: JobWebhook, bodyJson: string, orderingKey?: string, trace?: TraceCarrier): EncodedRecord {
    const id = this.deliveryIdOf(webhook.id, webhook.nameTail);
    const ordering = orderingKey !== undefined ? `,"ordering_key":${JSON.stringify(orderingKey)}` : '';
    const value = `${VERSION_PART}${id}${this.eventPart}${webhook.members}${ordering}${this.tail}${bodyJson}${this.trace}`;
    // Literal names (the constants' values, checked by the tests): the object is made from a
    // template instead of four keyed stores, once per job.
    const headers: Record<string, string> = {
      'hookstream-record-type': 'delivery-job',
      'hookstream-delivery-id': id,
      'hookstream-tenant-id': this.tenantId,
      'hookstream-event-type': this.eventType,
    };
    if (trace) writeTraceHeaders(headers, trace);
    return { key: webhook.id, value, headers };
  }
}

export type DeliveryJobRefusal = 'not_json' | 'invalid_delivery_job';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A job from a job topic, or why not. Ids must be UUIDs as this deployment issues them (the
 * audit tables key on them), so a job that would fail there is refused here, with its path.
 */
export function decodeDeliveryJobRecord(message: IncomingRecord): Decoded<DeliveryJob, DeliveryJobRefusal> {
  const text = message.value?.toString('utf8') ?? '';
  const split = jobBodies.parse(text);
  let value: unknown;
  if (split) {
    value = split.value;
    // Before validation: a body shared later has its text even if this job is refused.
    if (!split.shared) bodyTexts.set(split.member, split.memberText);
  } else {
    const parsed = parseJsonValue(text);
    if (!parsed.ok) return parsed;
    value = parsed.value;
  }
  const result = validateDeliveryJob(value);
  if (!result.ok) return { ok: false, reason: 'invalid_delivery_job', errors: result.errors };
  const job = result.value;
  if (!UUID.test(job.delivery_id) || !UUID.test(job.tenant_id) || !UUID.test(job.webhook_id)) {
    const idErrors: ValidationError[] = (['delivery_id', 'tenant_id', 'webhook_id'] as const)
      .filter((k) => !UUID.test(job[k]))
      .map((k) => ({ path: `/${k}`, message: 'must be a UUID issued by this deployment', rule: 'format' }));
    return { ok: false, reason: 'invalid_delivery_job', errors: idErrors };
  }
  if (!split) {
    const span = jsonMemberSpan(text, 'body');
    if (span) bodyTexts.set(job.body, text.slice(span[0], span[1]));
  }
  return { ok: true, record: withTraceContext(job, readTraceHeaders(message.headers)) };
}

/**
 * Consecutive jobs of one event (a fan-out's, on one partition) share one parsed body: see
 * SharedMemberParser. Bodies are never changed in place once decoded (see decodedBodyJson).
 */
const jobBodies = new SharedMemberParser('body');

/*
 * The body's JSON text as the decoded record carried it, by body object. Every job of an event
 * carries the same body text, and serialising the parsed body again for each call cost the worker
 * more than anything else of a fan-out (docs/performance.md). Keyed by the object, not stored on
 * the job: a job copied with another body (a transform's) has no text here and is serialised.
 */
const bodyTexts = new WeakMap<object, string>();

/**
 * The JSON text of a decoded job's body, exactly as its record held it (the matcher writes it with
 * `JSON.stringify`; another producer's spacing is kept), or undefined for a body that was not
 * decoded from a record. Body objects must not be changed in place once decoded.
 */
export function decodedBodyJson(body: object): string | undefined {
  return bodyTexts.get(body);
}
