import { createHash } from 'node:crypto';
import { envelopeFromBinary, validateEvent, type CloudEvent } from '../envelope.js';
import { validateMarkedEvent } from '../marked-envelope.js';
import { EVENT_CATALOGUE, EVENT_TYPES, type EventFamily, type EventType } from '../events/catalogue.js';
import { readWebhooksSeq, WEBHOOKS_SEQ_HEADER } from '../record-headers.js';
import { firstUnstorableText, mayHoldUnstorableText } from '../storable-text.js';
import type { ValidationError } from '../validation.js';
import { eventKey } from '../webhook-lifecycle.js';
import { firstHeader, headerStrings, type Decoded, type EncodedRecord, type IncomingRecord } from './kafka-record.js';
import { readTraceHeaders, traceOfEvent, writeTraceHeaders, type TraceCarrier } from './trace-context.js';

/**
 * `events`: one CloudEvent per record.
 * - key: `eventKey(event)` (`<tenantid>:<subject or id>`), so one tenant's subject stays in order on one partition;
 * - value: the CloudEvent in structured JSON mode; other producers may also write binary mode (`ce_` headers, data as value);
 * - headers: `content-type: application/cloudevents+json`, and from the gateway `hookstream-webhooks-seq`,
 *   and on a test event (`POST /v1/webhooks/{id}/test-events`) `hookstream-test-webhook`;
 *   `traceparent` / `tracestate` (W3C Trace Context) when the event belongs to a trace.
 */
export const EVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** Why a message of `events` was refused; the `reason` of its `events.invalid` record. */
export type InvalidEventReason =
  | 'not_json'
  | 'unsupported_version'
  | 'unknown_type'
  | 'missing_tenantid'
  | 'unknown_tenant'
  | 'invalid_envelope'
  | 'invalid_data'
  /** Valid on its face but matching or rendering threw: kept on events.invalid for replay rather than stalling the partition. */
  | 'processing_error';

/**
 * Marks a test event: the id of the one webhook it is for. The matcher delivers such an event to
 * that webhook only (if it is an enabled webhook of the event's tenant), whether or not it
 * subscribes to the type, and to no other. Only the gateway sets it; a tenant's publishes cannot
 * (record headers are not CloudEvents attributes, and the attribute of the same name is refused:
 * {@link TEST_WEBHOOK_ATTRIBUTE}). Normal events pay one header lookup for it.
 */
export const TEST_WEBHOOK_HEADER = 'hookstream-test-webhook';

/**
 * Marks an event whose envelope and `data` the producer (the gateway) validated against the
 * catalogue; the value is that catalogue's {@link CATALOGUE_DIGEST}. The matcher then checks only
 * the attributes it reads, by hand ({@link validateMarkedEvent}), and the type: the schema checks
 * of data and envelope were the largest part of its decoding, done twice for every event. A
 * record without the mark, or marked with another catalogue (a gateway of another
 * release), is validated in full, so an event written by another producer is still dead-lettered
 * with its reason. The mark is not an authentication: who may write to `events` is decided by
 * the broker's ACLs (docs/security.md).
 */
export const VALIDATED_WITH_HEADER = 'hookstream-validated-with';

/**
 * The digest of the catalogue's published data schemas (16 hex digits of SHA-256 over their JSON),
 * so a change to any schema changes it. Computed at load.
 */
export const CATALOGUE_DIGEST = createHash('sha256')
  .update(JSON.stringify(EVENT_TYPES.map((type) => [type, EVENT_CATALOGUE[type].published])))
  .digest('hex')
  .slice(0, 16);

export interface EventRecord {
  event: CloudEvent;
  /** Canonical catalogue type (aliases resolved). */
  type: EventType;
  family: EventFamily;
  /** `Date.parse(event.time)` when decoding parsed it (a marked record with a time): a date is made from it, not parsed again. */
  timeMs?: number;
  /** The gateway's webhook change counter when it accepted the event; absent from other producers. */
  webhooksSeq?: number;
  /** A test event: the one webhook it is for ({@link TEST_WEBHOOK_HEADER}). */
  testWebhookId?: string;
  /**
   * The trace the event belongs to: the record's `traceparent` header, or else the event's own
   * CloudEvents distributed-tracing attributes (a publisher producing straight to the topic).
   */
  trace?: TraceCarrier;
  /**
   * The JSON text of `event.data` as the record carried it, for a record marked by the gateway
   * (which writes `JSON.stringify(event)`, so it is `JSON.stringify(event.data)`): renderers
   * splice it into bodies instead of serialising the parsed data again. Absent otherwise.
   */
  dataJson?: string;
}

export interface EventRecordOptions {
  /** The webhook change counter read when the event was accepted (see {@link WEBHOOKS_SEQ_HEADER}). */
  webhooksSeq?: number;
  /** Makes it a test event for this one webhook (see {@link TEST_WEBHOOK_HEADER}). */
  testWebhookId?: string;
  /** The producing span's context, written as `traceparent` / `tracestate` headers. */
  trace?: TraceCarrier;
  /** The event was validated with `validateEvent` (data included) against this catalogue: see {@link VALIDATED_WITH_HEADER}. */
  validated?: boolean;
}

export function encodeEventRecord(event: CloudEvent, options: EventRecordOptions = {}): EncodedRecord {
  const headers: Record<string, string> = { 'content-type': EVENTS_CONTENT_TYPE };
  if (options.webhooksSeq !== undefined) headers[WEBHOOKS_SEQ_HEADER] = String(options.webhooksSeq);
  if (options.testWebhookId !== undefined) headers[TEST_WEBHOOK_HEADER] = options.testWebhookId;
  if (options.validated) headers[VALIDATED_WITH_HEADER] = CATALOGUE_DIGEST;
  writeTraceHeaders(headers, options.trace);
  return { key: eventKey(event), value: JSON.stringify(event), headers };
}

// Tenants are rows keyed by UUID; an event of anything else could be neither matched nor indexed.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads one message of `events`: a structured CloudEvent (JSON value) or a binary-mode one
 * (`ce_` headers, data as the value), validated against the envelope and the catalogue.
 * Never throws: anything unusable comes back as a refusal with a reason and JSON paths.
 */
export function decodeEventRecord(message: IncomingRecord): Decoded<EventRecord, InvalidEventReason> {
  let candidate: unknown;
  let text: string | undefined;
  let dataValidated = false;
  if (hasBinaryModeHeader(message.headers)) {
    candidate = envelopeFromBinary(headerStrings(message.headers), message.value ?? Buffer.alloc(0), 'ce_');
  } else {
    dataValidated = markedWithThisCatalogue(message.headers);
    if (!message.value || message.value.length === 0) {
      return refuse('not_json', [{ path: '', message: 'message has no value: expected a CloudEvent in structured JSON mode', rule: 'json' }]);
    }
    try {
      text = message.value.toString('utf8');
      candidate = JSON.parse(text) as unknown;
    } catch (e) {
      return refuse('not_json', [{ path: '', message: `not valid JSON: ${(e as Error).message}`, rule: 'json' }]);
    }
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      return refuse('invalid_envelope', [{ path: '', message: 'must be a CloudEvent JSON object', rule: 'type' }]);
    }
  }
  // A record the gateway validated gets the cheap checks of what is read, not the schemas again.
  const result = dataValidated ? validateMarkedEvent(candidate) : validateEvent(candidate);
  if (!result.ok) return refuse(classifyEventErrors(result.errors), result.errors);
  // The gateway refuses these; another producer's (or an older gateway's) would make the event
  // index or a skipped delivery's row fail to be written, and the partition stall on it.
  // Searched in the decoded text when there is one: a string search stays in V8, a Buffer's goes through C++.
  const raw = text ?? message.value;
  const unstorable = raw && mayHoldUnstorableText(raw) ? firstUnstorableText(result.value) : undefined;
  if (unstorable) return refuse(classifyEventErrors([unstorable]), [unstorable]);
  if (!UUID.test(result.value.tenantid)) {
    return refuse('unknown_tenant', [
      { path: '/tenantid', message: 'must be the UUID of a hookstream tenant: events are matched and indexed per tenant', rule: 'tenant' },
    ]);
  }
  const webhooksSeq = readWebhooksSeq(rawHeader(message.headers, WEBHOOKS_SEQ_HEADER));
  const record: EventRecord = { event: result.value, type: result.type, family: result.family };
  if (result.timeMs !== undefined) record.timeMs = result.timeMs;
  if (webhooksSeq !== undefined) record.webhooksSeq = webhooksSeq;
  const testWebhookId = firstHeader(message.headers, TEST_WEBHOOK_HEADER);
  if (testWebhookId !== undefined && UUID.test(testWebhookId)) record.testWebhookId = testWebhookId.toLowerCase();
  const trace = readTraceHeaders(message.headers) ?? traceOfEvent(result.value);
  if (trace !== undefined) record.trace = trace;
  if (dataValidated && text !== undefined) {
    const dataJson = dataTextOf(text, result.value);
    if (dataJson !== undefined) record.dataJson = dataJson;
  }
  return { ok: true, record };
}

/**
 * The text of the top-level `data` member of `text` (the event's JSON, which JSON.parse
 * accepted), when it can be found without walking the text: every other member is a scalar, so
 * the first `"data":` that follows `{` or `,` is its name (in a string a quote is escaped, and no
 * earlier member holds keys), and the members after it (the gateway appends `tenantid` and `time`
 * when the publisher left them out) are exactly what JSON.stringify writes for them, so its value
 * ends where they start. Undefined otherwise (spacing, an object-valued attribute, text written
 * another way): the caller then serialises the parsed data.
 */
function dataTextOf(text: string, event: Record<string, unknown>): string | undefined {
  let after = '';
  let seen = false;
  for (const name in event) {
    const value = event[name];
    if (name === 'data') seen = true;
    else if (typeof value === 'object' && value !== null) return undefined;
    else if (seen) after += `,${jsonText(name)}:${typeof value === 'string' ? jsonText(value) : JSON.stringify(value)}`;
  }
  const end = text.length - 1 - after.length;
  if (text.charCodeAt(text.length - 1) !== 0x7d || (after.length > 0 && !text.startsWith(after, end))) return undefined; // }
  let at = text.indexOf('"data":');
  while (at > 0 && text.charCodeAt(at - 1) !== 0x7b && text.charCodeAt(at - 1) !== 0x2c) at = text.indexOf('"data":', at + 1);
  if (at <= 0 || at + 7 >= end) return undefined;
  // A scalar member after data that JSON.stringify would not list here (a name like "1" comes first
  // in the parsed object) leaves its value at the end of the slice, and no scalar ends in `}`.
  return text.charCodeAt(at + 7) === 0x7b && text.charCodeAt(end - 1) === 0x7d ? text.slice(at + 7, end) : undefined;
}

// Characters JSON.stringify writes as they are.
const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `JSON.stringify(value)` of a string, without the call for plain ones. */
function jsonText(value: string): string {
  return PLAIN_JSON.test(value) ? `"${value}"` : JSON.stringify(value);
}

function refuse(reason: InvalidEventReason, errors: ValidationError[]): { ok: false; reason: InvalidEventReason; errors: ValidationError[] } {
  return { ok: false, reason, errors };
}

/** The most telling reason among validation errors: envelope-level problems before payload ones. */
export function classifyEventErrors(errors: readonly ValidationError[]): InvalidEventReason {
  if (errors.some((e) => e.rule === 'version')) return 'unsupported_version';
  if (errors.some((e) => e.path === '/type' && e.rule === 'catalogue')) return 'unknown_type';
  if (errors.some((e) => e.path === '/tenantid' && e.rule === 'required')) return 'missing_tenantid';
  if (errors.some((e) => e.path !== '/data' && !e.path.startsWith('/data/'))) return 'invalid_envelope';
  return 'invalid_data';
}

// The mark's bytes: a record's header is compared with them rather than decoded for every event.
const CATALOGUE_DIGEST_BYTES = Buffer.from(CATALOGUE_DIGEST, 'latin1');

/** `firstHeader(headers, VALIDATED_WITH_HEADER) === CATALOGUE_DIGEST`. */
function markedWithThisCatalogue(headers: IncomingRecord['headers']): boolean {
  const raw = rawHeader(headers, VALIDATED_WITH_HEADER);
  if (raw === undefined) return false;
  if (typeof raw === 'string') return raw === CATALOGUE_DIGEST;
  // The digest is ASCII: its UTF-8 decoding equals it exactly when the bytes are its bytes.
  if (raw.length !== CATALOGUE_DIGEST_BYTES.length) return false;
  for (let i = 0; i < raw.length; i++) if (raw[i] !== CATALOGUE_DIGEST_BYTES[i]) return false;
  return true;
}

/** The first value of a header as it came (bytes or text), or undefined. */
function rawHeader(headers: IncomingRecord['headers'], name: string): Buffer | string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first ?? undefined;
}

/** Binary-mode CloudEvents carry their attributes as `ce_` headers, starting with `ce_specversion`. */
export function isBinaryMode(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((n) => n.toLowerCase() === 'ce_specversion');
}

// isBinaryMode on the raw headers, without decoding every header's value first (most records are structured).
function hasBinaryModeHeader(headers: IncomingRecord['headers']): boolean {
  if (!headers) return false;
  for (const name in headers) if (name.length === 14 && name.toLowerCase() === 'ce_specversion' && headers[name] != null) return true;
  return false;
}
