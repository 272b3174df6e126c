import { envelopeFromBinary, validateEvent, type CloudEvent } from '../envelope.js';
import type { EventFamily, EventType } from '../events/catalogue.js';
import { readWebhooksSeq, WEBHOOKS_SEQ_HEADER } from '../record-headers.js';
import type { ValidationError } from '../validation.js';
import { eventKey } from '../webhook-lifecycle.js';
import { firstHeader, headerStrings, type Decoded, type EncodedRecord, type IncomingRecord } from './kafka-record.js';

/**
 * `events`: one CloudEvent per record.
 * - key: `eventKey(event)` (`<tenantid>:<subject or id>`), so one tenant's subject stays in order on one partition;
 * - value: the CloudEvent in structured JSON mode; other producers may also write binary mode (`ce_` headers, data as value);
 * - headers: `content-type: application/cloudevents+json`, and from the gateway `hookstream-webhooks-seq`.
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

export interface EventRecord {
  event: CloudEvent;
  /** Canonical catalogue type (aliases resolved). */
  type: EventType;
  family: EventFamily;
  /** The gateway's webhook change counter when it accepted the event; absent from other producers. */
  webhooksSeq?: number;
}

export interface EventRecordOptions {
  /** The webhook change counter read when the event was accepted (see {@link WEBHOOKS_SEQ_HEADER}). */
  webhooksSeq?: number;
}

export function encodeEventRecord(event: CloudEvent, options: EventRecordOptions = {}): EncodedRecord {
  const headers: Record<string, string> = { 'content-type': EVENTS_CONTENT_TYPE };
  if (options.webhooksSeq !== undefined) headers[WEBHOOKS_SEQ_HEADER] = String(options.webhooksSeq);
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
  const headers = headerStrings(message.headers);
  let candidate: unknown;
  if (isBinaryMode(headers)) {
    candidate = envelopeFromBinary(headers, message.value ?? Buffer.alloc(0), 'ce_');
  } else {
    if (!message.value || message.value.length === 0) {
      return refuse('not_json', [{ path: '', message: 'message has no value: expected a CloudEvent in structured JSON mode', rule: 'json' }]);
    }
    try {
      candidate = JSON.parse(message.value.toString('utf8')) as unknown;
    } catch (e) {
      return refuse('not_json', [{ path: '', message: `not valid JSON: ${(e as Error).message}`, rule: 'json' }]);
    }
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      return refuse('invalid_envelope', [{ path: '', message: 'must be a CloudEvent JSON object', rule: 'type' }]);
    }
  }
  const result = validateEvent(candidate);
  if (!result.ok) return refuse(classifyEventErrors(result.errors), result.errors);
  if (!UUID.test(result.value.tenantid)) {
    return refuse('unknown_tenant', [
      { path: '/tenantid', message: 'must be the UUID of a hookstream tenant: events are matched and indexed per tenant', rule: 'tenant' },
    ]);
  }
  const webhooksSeq = readWebhooksSeq(firstHeader(message.headers, WEBHOOKS_SEQ_HEADER));
  return { ok: true, record: { event: result.value, type: result.type, family: result.family, ...(webhooksSeq !== undefined ? { webhooksSeq } : {}) } };
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

/** Binary-mode CloudEvents carry their attributes as `ce_` headers, starting with `ce_specversion`. */
export function isBinaryMode(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((n) => n.toLowerCase() === 'ce_specversion');
}
