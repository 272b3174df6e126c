import { deliveredBodiesOf, renderDeliveredBody, type CloudEvent } from '@hookstream/schemas';
import type { AcceptedEvent } from '../intake/decode.js';
import type { Match } from '../matching/rules.js';

/**
 * The body one webhook receives for one event. Notifications: the published data with
 * `event_id` (data.event_id if given, else the CloudEvent id), the canonical `type` and
 * the webhook's `channels`. Activities: the published data with `webhook` = the webhook's URI.
 */
export function renderForWebhook(accepted: AcceptedEvent, match: Match): Record<string, unknown> {
  return renderDeliveredBody(canonicalEvent(accepted), renderOptions(match));
}

/**
 * The serialised bodies of one event, for every webhook it matched: `(match) =>
 * JSON.stringify(renderForWebhook(accepted, match))`, the event's data serialised once.
 */
export function bodiesForEvent(accepted: AcceptedEvent): (match: Match) => string {
  // A record marked by the gateway carries its data's JSON text: spliced in, not serialised again.
  const bodies = deliveredBodiesOf(canonicalEvent(accepted), accepted.dataJson);
  return (match) => bodies.renderFor(match.subscriber.uri, match.channels, match.subscriber.uriJson);
}

function canonicalEvent(accepted: AcceptedEvent): CloudEvent {
  return accepted.type === accepted.event.type ? accepted.event : { ...accepted.event, type: accepted.type };
}

function renderOptions(match: Match) {
  return { webhookUri: match.subscriber.uri, ...(match.channels ? { channels: match.channels } : {}) };
}
