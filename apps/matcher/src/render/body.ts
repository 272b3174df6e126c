import { renderDeliveredBody } from '@hookstream/schemas';
import type { AcceptedEvent } from '../intake/decode.js';
import type { Match } from '../matching/rules.js';

/**
 * The body one webhook receives for one event. Notifications: the published data with
 * `event_id` (data.event_id if given, else the CloudEvent id), the canonical `type` and
 * the webhook's `channels`. Activities: the published data with `webhook` = the webhook's URI.
 */
export function renderForWebhook(accepted: AcceptedEvent, match: Match): Record<string, unknown> {
  const event = accepted.type === accepted.event.type ? accepted.event : { ...accepted.event, type: accepted.type };
  return renderDeliveredBody(event, {
    webhookUri: match.subscriber.uri,
    ...(match.channels ? { channels: match.channels } : {}),
  });
}
