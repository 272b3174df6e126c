import { validateDeadLetter, type DeadLetter, type InvalidEventRecord } from '../jobs.js';
import { INVALID_REASON_HEADER } from './invalid-event-record.js';
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
import { traceOfJob, writeTraceHeaders } from './trace-context.js';

/**
 * `deliveries.dlq`: where deliveries end when they will not be retried. Two kinds, told apart
 * by `hookstream-record-type`:
 * - `dead-letter`: key the webhook id; value {@link DeadLetter} (the job, the reason, every attempt);
 *   headers also `hookstream-delivery-id`, `hookstream-tenant-id`, `hookstream-event-type`, `hookstream-dead-letter-reason`;
 * - `invalid-delivery-job`: a message of a job topic that was no readable job, kept byte for byte;
 *   key the original key; value {@link InvalidEventRecord}; header also `hookstream-invalid-reason`.
 */
export const DEAD_LETTER_RECORD_TYPE = 'dead-letter';
export const INVALID_DELIVERY_JOB_RECORD_TYPE = 'invalid-delivery-job';
export const DEAD_LETTER_REASON_HEADER = 'hookstream-dead-letter-reason';

export function encodeDeadLetterRecord(letter: DeadLetter): EncodedRecord {
  const headers: Record<string, string> = {
    [RECORD_TYPE_HEADER]: DEAD_LETTER_RECORD_TYPE,
    [DELIVERY_ID_HEADER]: letter.job.delivery_id,
    [TENANT_ID_HEADER]: letter.job.tenant_id,
    [EVENT_TYPE_HEADER]: letter.job.event_type,
    [DEAD_LETTER_REASON_HEADER]: letter.reason,
  };
  // The event's trace ends here: whoever reads the dead letter can find it.
  writeTraceHeaders(headers, traceOfJob(letter.job));
  return { key: letter.job.webhook_id, value: JSON.stringify(letter), headers };
}

/** An unreadable message of a job topic, under the key it came with. */
export function encodeInvalidDeliveryJobRecord(record: InvalidEventRecord, key: string | null): EncodedRecord {
  return {
    key,
    value: JSON.stringify(record),
    headers: { [RECORD_TYPE_HEADER]: INVALID_DELIVERY_JOB_RECORD_TYPE, [INVALID_REASON_HEADER]: record.reason },
  };
}

export type DeadLetterRefusal = 'not_json' | 'invalid_dead_letter';

/** A dead letter, or why not (an `invalid-delivery-job` record is refused as `invalid_dead_letter`: it holds no job). */
export function decodeDeadLetterRecord(message: IncomingRecord): Decoded<DeadLetter, DeadLetterRefusal> {
  const parsed = parseJsonValue(message.value);
  if (!parsed.ok) return parsed;
  const result = validateDeadLetter(parsed.value);
  return result.ok ? { ok: true, record: result.value } : { ok: false, reason: 'invalid_dead_letter', errors: result.errors };
}
