import { createInvalidEventRecord, validateDeliveryJob, type DeliveryJob, type InvalidEventRecord, type ValidationError } from '@hookstream/schemas';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ReadJob = { ok: true; job: DeliveryJob } | { ok: false; record: InvalidEventRecord };

/**
 * A job from a job topic, or the record that keeps an unreadable message on the dead-letter
 * topic with the reason. Ids must be UUIDs as this deployment issues them (the audit tables
 * key on them), so a job that would fail there is rejected here, with its path.
 */
export function readJob(
  value: Buffer | null,
  source: { topic: string; partition: number; offset: string },
  headers: Record<string, string | Buffer | (string | Buffer)[] | undefined> | undefined,
): ReadJob {
  const invalid = (reason: string, errors: ValidationError[]): ReadJob => ({
    ok: false,
    record: createInvalidEventRecord({
      reason,
      errors,
      original: value,
      source,
      headers: Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])),
    }),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    return invalid('not_json', [{ path: '', message: 'the message value is not JSON', rule: 'json' }]);
  }
  const result = validateDeliveryJob(parsed);
  if (!result.ok) return invalid('invalid_delivery_job', result.errors);
  const job = result.value;
  const idErrors: ValidationError[] = (['delivery_id', 'tenant_id', 'webhook_id'] as const)
    .filter((k) => !UUID.test(job[k]))
    .map((k) => ({ path: `/${k}`, message: 'must be a UUID issued by this deployment', rule: 'format' }));
  if (idErrors.length > 0) return invalid('invalid_delivery_job', idErrors);
  return { ok: true, job };
}
