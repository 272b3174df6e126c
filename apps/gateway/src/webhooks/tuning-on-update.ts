import type { WebhookSpec } from '@hookstream/schemas';

const TUNING = [
  { field: 'batch_size', seedName: 'payload_size' },
  { field: 'max_in_flight', seedName: 'callbacks_per_exec' },
] as const;

const family = (kind: string) => (kind === 'notification' ? 'notification' : 'jive');

/**
 * A replacement that names neither `batch_size` / `payload_size` (nor `max_in_flight` /
 * `callbacks_per_exec`) keeps the stored value instead of taking the default of its kind:
 * Jive webhooks created before the seed's defaults (100 per callback, 3 in flight) keep sending
 * one object per call after an update that did not ask for arrays. Across kinds (notification
 * to Jive or back) the new kind's defaults apply, as for a new webhook.
 */
export function keepStoredTuning(spec: WebhookSpec, before: WebhookSpec, input: Record<string, unknown>): void {
  if (family(spec.kind) !== family(before.kind)) return;
  for (const { field, seedName } of TUNING) {
    if (field in input || seedName in input) continue;
    const stored = before[field];
    if (typeof stored === 'number') spec[field] = stored;
  }
}
