import { randomUUID } from 'node:crypto';
import type { CloudEvent } from './envelope.js';
import { CLOUDEVENTS_SPECVERSION } from './envelope.js';
import type { SystemActivity } from './events/activity.js';

/** The webhook category's verbs that hookstream itself emits about a tenant's webhooks. */
export type WebhookLifecycleVerb =
  | 'jive:webhook_created'
  | 'jive:webhook_deleted'
  | 'jive:webhook_enabled'
  | 'jive:webhook_disabled'
  | 'jive:webhook_marked_buggy'
  | 'jive:webhook_marked_not_buggy'
  | 'jive:webhook_secret_rotated';

export interface WebhookLifecycleInput {
  verb: WebhookLifecycleVerb;
  tenantId: string;
  webhookId: string;
  /** Public base URL of the gateway (HOOKSTREAM_PUBLIC_URL). */
  publicUrl: string;
  /** Emitting component, e.g. `gateway` or `delivery-worker`. */
  by: string;
  /** Why hookstream itself did it (e.g. `gone` when it disabled a webhook whose endpoint answered 410). */
  reason?: string;
  now?: Date;
  id?: string;
}

/**
 * A system event about one of the tenant's webhooks, as a CloudEvent for the `events`
 * topic: it reaches the tenant's `webhook` system webhooks through the matcher like
 * any published event.
 */
export function webhookLifecycleEvent(input: WebhookLifecycleInput): CloudEvent<SystemActivity> {
  const now = (input.now ?? new Date()).toISOString();
  const base = input.publicUrl.replace(/\/+$/, '');
  return {
    specversion: CLOUDEVENTS_SPECVERSION,
    id: input.id ?? randomUUID(),
    source: `hookstream/${input.by}`,
    type: input.verb,
    time: now,
    subject: input.webhookId,
    datacontenttype: 'application/json',
    tenantid: input.tenantId,
    data: {
      verb: input.verb,
      jive: { objectID: input.webhookId, objectType: 'webhook' },
      timestamp: now,
      provider: { name: 'hookstream', url: base },
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    } as SystemActivity,
  };
}

/** The Kafka key of an event: one tenant and subject stay in order on one partition. */
export function eventKey(event: { tenantid: string; subject?: string; id: string }): string {
  return `${event.tenantid}:${event.subject ?? event.id}`;
}
