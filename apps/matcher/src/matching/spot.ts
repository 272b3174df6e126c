import type { CloudEvent } from '@hookstream/schemas';

/**
 * The spot(s) a notification event may belong to, for webhooks bound to a `spot_id`.
 *
 * 1. The CloudEvent extension attribute `spotid`, when the publisher sets it: authoritative.
 * 2. Otherwise `data.conversation_id`, which the notification seed describes as "a combination
 *    of the Spot ID and post ID" (`<spot_id>_<post_id>`, e.g. `sp_Hr4ld2024_city-council-vote`).
 *    Spot ids may themselves contain "_", so every prefix that ends right before a "_" is a
 *    candidate; a webhook's spot matches when it is one of them. The number of candidates
 *    depends on the id, never on the number of webhooks.
 *
 * An event naming no spot (e.g. `user-followed` without `spotid`) reaches only webhooks that
 * are not bound to a spot.
 */
export function eventSpots(event: CloudEvent): string[] {
  const attr = event.spotid;
  if ((typeof attr === 'string' && attr.length > 0) || typeof attr === 'number') return [String(attr)];
  const conversation = event.data.conversation_id;
  if (typeof conversation !== 'string') return [];
  const spots: string[] = [];
  for (let i = conversation.indexOf('_'); i > 0; i = conversation.indexOf('_', i + 1)) {
    spots.push(conversation.slice(0, i));
  }
  return spots;
}
