import { createInvalidEventRecord, decodeDeliveryJobRecord, type DeliveryJob, type IncomingHeaders, type InvalidEventRecord } from '@hookstream/schemas';

export type ReadJob = { ok: true; job: DeliveryJob } | { ok: false; record: InvalidEventRecord };

/**
 * A job from a job topic (read by the record definition in `schemas`), or the record that
 * keeps an unreadable message on the dead-letter topic with the reason.
 */
export function readJob(value: Buffer | null, source: { topic: string; partition: number; offset: string }, headers: IncomingHeaders | undefined): ReadJob {
  const decoded = decodeDeliveryJobRecord({ value, headers });
  if (decoded.ok) return { ok: true, job: decoded.record };
  return {
    ok: false,
    record: createInvalidEventRecord({
      reason: decoded.reason,
      errors: decoded.errors,
      original: value,
      source,
      headers: Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])),
    }),
  };
}
