import { canonicalNotificationType, NOTIFICATION_CHANNELS } from './events/notification.js';
import type { NotificationChannel } from './events/notification.js';
import { catalogueEntry } from './events/catalogue.js';
import type { CloudEvent } from './envelope.js';
import type { WebhookSpec } from './webhooks/spec.js';

export interface RenderOptions {
  /** URI of the webhook, written into activity bodies as `webhook`. */
  webhookUri: string;
  /**
   * Channels to announce in a notification body (see {@link matchingChannels}); defaults to the
   * published ones. Not changed once handed over: `deliveredBodiesOf` recognises a list it saw last by identity.
   */
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
  // "the channel will be removed from this list": the event's order is kept, duplicates dropped.
  const out: NotificationChannel[] = [];
  for (const c of requested) {
    const channel = NOTIFICATION_CHANNELS.find((known) => known === c);
    if (channel && !out.includes(channel) && spec.registered_events[channel].includes(canonical)) out.push(channel);
  }
  return out;
}

/**
 * The serialised bodies of one event for many webhooks: `render(options)` is exactly
 * `JSON.stringify(renderDeliveredBody(event, options))`, but the event's data is serialised
 * once per event rather than once per webhook (the matcher renders an event for every webhook
 * it matches). A notification's body depends only on the announced channels, so each distinct
 * channel list is serialised once; an activity's body is the data with `webhook` appended.
 */
export function deliveredBodiesOf(event: CloudEvent): { render(options: RenderOptions): string } {
  const entry = catalogueEntry(event.type);
  if (!entry) throw new Error(`cannot render unknown event type '${event.type}'`);
  const full = (options: RenderOptions) => JSON.stringify(renderDeliveredBody(event, options));
  if (entry.family === 'notification') {
    const byChannels = new Map<string, string>();
    // The matcher hands the same channel list to the webhooks that get all of the event's
    // channels: the list itself is tried first, before a key is built from its contents.
    let lastChannels: readonly string[] | undefined;
    let lastBody = '';
    return {
      render(options) {
        if (options.channels !== undefined && options.channels === lastChannels) return lastBody;
        const k = options.channels ? options.channels.join('\u0000') : '\u0001';
        let body = byChannels.get(k);
        if (body === undefined) {
          body = full(options);
          byChannels.set(k, body);
        }
        if (options.channels !== undefined) {
          lastChannels = options.channels;
          lastBody = body;
        }
        return body;
      },
    };
  }
  // A published `webhook` field keeps its place in the object (the spread overwrites it): only
  // without one is the rendered body the serialised data with one more member at the end.
  if (Object.prototype.hasOwnProperty.call(event.data, 'webhook')) return { render: full };
  const data = JSON.stringify(event.data);
  const head = data === '{}' ? '{' : `${data.slice(0, -1)},`;
  return { render: (options) => `${head}"webhook":${JSON.stringify(options.webhookUri)}}` };
}
