import { randomUUID } from 'node:crypto';
import { eventDataByteLength, eventKey, firstUnstorableText, platformEventErrors, validateEvent, type CloudEvent, type EventType } from '@hookstream/schemas';
import type { ErrorDetail } from '../domain/errors.js';

/** Why an event was refused; also the `reason` label of the rejection metric. */
export type RejectReason = 'malformed_json' | 'not_an_object' | 'too_large' | 'unknown_type' | 'invalid' | 'tenant_mismatch' | 'reserved' | 'unstorable_text';

export type Intake =
  | { ok: true; event: CloudEvent; type: EventType; key: string }
  | { ok: false; status: 400 | 413; reason: RejectReason; error: string; details?: ErrorDetail[]; id?: string };

export interface IntakeOptions {
  /** The raw request body was no larger than the data limit: `data` is not measured again. */
  withinLimit?: boolean;
  /**
   * The request's JSON text may hold `\u` escapes (see mayHoldUnstorableText): only then is
   * every string looked at for text PostgreSQL cannot store.
   */
  mayHoldEscapes?: boolean;
}

/**
 * Checks one structured CloudEvent for a tenant and completes it: a missing `id` is
 * generated, a missing `time` is the time of receipt, `tenantid` is the caller's tenant
 * (a different one is refused), `type` is canonical. The size rule applies to `data`.
 * Platform events (webhook lifecycle types, `hookstream/` sources) are refused (#16.13), and
 * so is text PostgreSQL cannot store (U+0000, unpaired surrogates), wherever it is.
 */
export function intakeEvent(candidate: unknown, tenantId: string, maxDataBytes: number, now = new Date(), options: IntakeOptions = {}): Intake {
  const { withinLimit = false, mayHoldEscapes = true } = options;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    return { ok: false, status: 400, reason: 'not_an_object', error: 'an event must be a JSON object (a structured CloudEvent)' };
  }
  const event: Record<string, unknown> = { ...(candidate as Record<string, unknown>) };
  if (event.id === undefined || event.id === null || event.id === '') event.id = randomUUID();
  const id = typeof event.id === 'string' ? event.id : undefined;
  if (event.tenantid !== undefined && event.tenantid !== tenantId) {
    return {
      ok: false,
      status: 400,
      reason: 'tenant_mismatch',
      error: 'tenantid does not match the tenant of the API key',
      details: [{ path: '/tenantid', message: 'must be omitted or equal to the tenant of the API key', rule: 'tenant' }],
      id,
    };
  }
  event.tenantid = tenantId;
  const reserved = platformEventErrors(event);
  if (reserved.length > 0) {
    return { ok: false, status: 400, reason: 'reserved', error: 'this event would impersonate hookstream itself', details: reserved, id };
  }
  const unstorable = mayHoldEscapes ? firstUnstorableText(event) : undefined;
  if (unstorable) return { ok: false, status: 400, reason: 'unstorable_text', error: 'invalid event', details: [unstorable], id };
  if (event.time === undefined) event.time = now.toISOString();
  // `withinLimit`: the raw request body was already no larger than the limit, and `data`
  // serialised again cannot be longer than its source text, so measuring it is skipped.
  if (event.data !== undefined && !withinLimit) {
    const size = eventDataByteLength(event.data);
    if (size > maxDataBytes) {
      return { ok: false, status: 413, reason: 'too_large', error: `event data is ${size} bytes; the limit is ${maxDataBytes} bytes`, id };
    }
  }
  const result = validateEvent(event);
  if (!result.ok) {
    const unknownType = result.errors.some((e) => e.rule === 'catalogue');
    return {
      ok: false,
      status: 400,
      reason: unknownType ? 'unknown_type' : 'invalid',
      error: unknownType ? `unknown event type ${JSON.stringify(event.type)}: not in the event catalogue` : 'invalid event',
      details: result.errors,
      id,
    };
  }
  const accepted = { ...result.value, type: result.type } as CloudEvent;
  return { ok: true, event: accepted, type: result.type, key: eventKey(accepted as { tenantid: string; subject?: string; id: string }) };
}
