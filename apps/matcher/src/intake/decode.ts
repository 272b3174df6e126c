import { envelopeFromBinary, validateEvent, type CloudEvent, type EventFamily, type EventType, type ValidationError } from '@hookstream/schemas';
import { headerStrings, isBinaryMode } from './headers.js';
import type { IHeaders } from 'kafkajs';

/** Why a message of `events` was dead-lettered; the `reason` of its `events.invalid` record. */
export type InvalidReason =
  | 'not_json'
  | 'unsupported_version'
  | 'unknown_type'
  | 'missing_tenantid'
  | 'unknown_tenant'
  | 'invalid_envelope'
  | 'invalid_data'
  /** Valid on its face but matching or rendering threw: kept on events.invalid for replay rather than stalling the partition. */
  | 'processing_error';

export interface AcceptedEvent {
  ok: true;
  event: CloudEvent;
  /** Canonical catalogue type (aliases resolved). */
  type: EventType;
  family: EventFamily;
}

export interface RejectedMessage {
  ok: false;
  reason: InvalidReason;
  errors: ValidationError[];
}

export type DecodedMessage = AcceptedEvent | RejectedMessage;

export interface RawMessage {
  value: Buffer | null;
  headers?: IHeaders;
}

// Tenants are rows keyed by UUID; an event of anything else could be neither matched nor indexed.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads one message of `events`: a structured CloudEvent (JSON value) or a binary-mode one
 * (`ce_` headers, data as the value), validated against the envelope and the catalogue.
 * Never throws: anything unusable comes back as a rejection with a reason and JSON paths.
 */
export function decodeEventMessage(message: RawMessage): DecodedMessage {
  const headers = headerStrings(message.headers);
  let candidate: unknown;
  if (isBinaryMode(headers)) {
    candidate = envelopeFromBinary(headers, message.value ?? Buffer.alloc(0), 'ce_');
  } else {
    if (!message.value || message.value.length === 0) {
      return reject('not_json', [{ path: '', message: 'message has no value: expected a CloudEvent in structured JSON mode', rule: 'json' }]);
    }
    try {
      candidate = JSON.parse(message.value.toString('utf8')) as unknown;
    } catch (e) {
      return reject('not_json', [{ path: '', message: `not valid JSON: ${(e as Error).message}`, rule: 'json' }]);
    }
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      return reject('invalid_envelope', [{ path: '', message: 'must be a CloudEvent JSON object', rule: 'type' }]);
    }
  }
  const result = validateEvent(candidate);
  if (!result.ok) return reject(classify(result.errors), result.errors);
  if (!UUID.test(result.value.tenantid)) {
    return reject('unknown_tenant', [
      { path: '/tenantid', message: 'must be the UUID of a hookstream tenant: events are matched and indexed per tenant', rule: 'tenant' },
    ]);
  }
  return { ok: true, event: result.value, type: result.type, family: result.family };
}

function reject(reason: InvalidReason, errors: ValidationError[]): RejectedMessage {
  return { ok: false, reason, errors };
}

/** The most telling reason among validation errors: envelope-level problems before payload ones. */
export function classify(errors: readonly ValidationError[]): InvalidReason {
  if (errors.some((e) => e.rule === 'version')) return 'unsupported_version';
  if (errors.some((e) => e.path === '/type' && e.rule === 'catalogue')) return 'unknown_type';
  if (errors.some((e) => e.path === '/tenantid' && e.rule === 'required')) return 'missing_tenantid';
  if (errors.some((e) => e.path !== '/data' && !e.path.startsWith('/data/'))) return 'invalid_envelope';
  return 'invalid_data';
}
