import { validateInvalidEventRecord, type InvalidEventRecord } from '../jobs.js';
import { parseJsonValue, RECORD_TYPE_HEADER, type Decoded, type EncodedRecord, type IncomingRecord } from './kafka-record.js';

/**
 * `events.invalid`: a message of `events` the matcher could not accept, kept byte for byte.
 * - key: `<source topic>:<partition>:<offset>` of the original, so a replay finds its origin;
 * - value: {@link InvalidEventRecord} (reason, errors with JSON pointers, original as base64, original headers);
 * - headers: `hookstream-record-type: invalid-event`, `hookstream-invalid-reason: <reason>`.
 */
export const INVALID_EVENT_RECORD_TYPE = 'invalid-event';
export const INVALID_REASON_HEADER = 'hookstream-invalid-reason';

export function encodeInvalidEventRecord(record: InvalidEventRecord): EncodedRecord {
  const { topic, partition, offset } = record.source;
  return {
    key: `${topic}:${partition}:${offset}`,
    value: JSON.stringify(record),
    headers: { [RECORD_TYPE_HEADER]: INVALID_EVENT_RECORD_TYPE, [INVALID_REASON_HEADER]: record.reason },
  };
}

export type InvalidEventRecordRefusal = 'not_json' | 'invalid_record';

export function decodeInvalidEventRecord(message: IncomingRecord): Decoded<InvalidEventRecord, InvalidEventRecordRefusal> {
  const parsed = parseJsonValue(message.value);
  if (!parsed.ok) return parsed;
  const result = validateInvalidEventRecord(parsed.value);
  return result.ok ? { ok: true, record: result.value } : { ok: false, reason: 'invalid_record', errors: result.errors };
}
