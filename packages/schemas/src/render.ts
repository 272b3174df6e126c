import { canonicalNotificationType, NOTIFICATION_CHANNELS } from './events/notification.js';
import type { NotificationChannel } from './events/notification.js';
import { catalogueEntry } from './events/catalogue.js';
import type { CloudEvent } from './envelope.js';
import type { WebhookSpec } from './webhooks/spec.js';

export interface RenderOptions {
  /** URI of the webhook, written into activity bodies as `webhook`. */
  webhookUri: string;
  /** Channels to announce in a notification body (see {@link matchingChannels}); defaults to the published ones. */
  channels?: NotificationChannel[];
}

/**
 * The body a partner receives for a validated event: the published data, unchanged (unknown
 * fields included), completed the way each delivered schema requires. Notifications get
 * `event_id` (the CloudEvent id unless the publisher gave one) and the canonical `type`;
 * activities get `webhook`.
 */
export function renderDeliveredBody(event: CloudEvent, options: RenderOptions): Record<string, unknown> {
  const entry = catalogueEntry(event.type);
  if (!entry) throw new Error(`cannot render unknown event type '${event.type}'`);
  const data = event.data;
  if (entry.family !== 'notification') return { ...data, webhook: options.webhookUri };
  return {
    ...data,
    event_id: typeof data.event_id === 'string' ? data.event_id : event.id,
    type: entry.type,
    ...(options.channels ? { channels: options.channels } : {}),
  };
}

/**
 * The seed's channel intersection: the channels a notification asks for on which the webhook
 * registered this type. An empty result means the event is not sent to this webhook.
 */
export function matchingChannels(spec: Pick<WebhookSpec, 'registered_events'>, type: string, requested: readonly string[]): NotificationChannel[] {
  const canonical = canonicalNotificationType(type);
  if (!canonical) return [];
  return NOTIFICATION_CHANNELS.filter((c) => requested.includes(c) && spec.registered_events[c].includes(canonical));
}
