import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_IN_FLIGHT } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';

/*
 * A webhook's delivery tuning as the worker applies it. The defaults by kind (the Jive seed's
 * payload_size 100 and callbacks_per_exec 3 for content and system webhooks) are stored in the
 * spec when a webhook is created; a row without the field predates them and keeps the behaviour
 * it was created with (one event per call, 10 in flight), so no receiver sees its body change shape.
 */

/**
 * The most callbacks one webhook may have in flight at once (`max_in_flight`, the Jive shape's
 * `callbacks_per_exec`). A ceiling: any adaptive limit (per endpoint, per process) works below it.
 */
export function callbackCeiling(webhook: WebhookRecord): number {
  return webhook.spec.max_in_flight ?? DEFAULT_MAX_IN_FLIGHT;
}

/** Events per callback (`batch_size`, the Jive shape's `payload_size`); above 1 the body is always an array. */
export function payloadSize(webhook: WebhookRecord): number {
  return webhook.spec.batch_size ?? DEFAULT_BATCH_SIZE;
}
