import { validateDeliveryJob, type DeliveryJob } from '../jobs.js';
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

/**
 * `deliveries` and the retry tiers (`deliveries.retry.*`): one delivery job per record, written
 * by the matcher (first attempt), the worker (next attempt on a tier), the gateway (manual
 * retry) and the CLI (replay of dead letters).
 * - key: the webhook id, so one webhook's jobs stay in order on one partition;
 * - value: {@link DeliveryJob};
 * - headers: `hookstream-record-type: delivery-job`, `hookstream-delivery-id`, `hookstream-tenant-id`,
 *   `hookstream-event-type`, and `hookstream-replay: cli|api` on jobs queued again by a person.
 */
export const DELIVERY_JOB_RECORD_TYPE = 'delivery-job';
export const REPLAY_HEADER = 'hookstream-replay';

/** Who queued a job again by hand: the CLI's dead-letter replay or the API's manual retry. */
export type ReplayOrigin = 'cli' | 'api';

export function encodeDeliveryJobRecord(job: DeliveryJob, options: { replay?: ReplayOrigin } = {}): EncodedRecord {
  const headers: Record<string, string> = {
    [RECORD_TYPE_HEADER]: DELIVERY_JOB_RECORD_TYPE,
    [DELIVERY_ID_HEADER]: job.delivery_id,
    [TENANT_ID_HEADER]: job.tenant_id,
    [EVENT_TYPE_HEADER]: job.event_type,
  };
  if (options.replay) headers[REPLAY_HEADER] = options.replay;
  return { key: job.webhook_id, value: JSON.stringify(job), headers };
}

export type DeliveryJobRefusal = 'not_json' | 'invalid_delivery_job';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A job from a job topic, or why not. Ids must be UUIDs as this deployment issues them (the
 * audit tables key on them), so a job that would fail there is refused here, with its path.
 */
export function decodeDeliveryJobRecord(message: IncomingRecord): Decoded<DeliveryJob, DeliveryJobRefusal> {
  const parsed = parseJsonValue(message.value);
  if (!parsed.ok) return parsed;
  const result = validateDeliveryJob(parsed.value);
  if (!result.ok) return { ok: false, reason: 'invalid_delivery_job', errors: result.errors };
  const job = result.value;
  const idErrors: ValidationError[] = (['delivery_id', 'tenant_id', 'webhook_id'] as const)
    .filter((k) => !UUID.test(job[k]))
    .map((k) => ({ path: `/${k}`, message: 'must be a UUID issued by this deployment', rule: 'format' }));
  if (idErrors.length > 0) return { ok: false, reason: 'invalid_delivery_job', errors: idErrors };
  return { ok: true, record: job };
}
