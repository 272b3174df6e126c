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
 *
 * `lengths` ({@link spotLengthBit} of the lengths of the spot ids that may match) leaves out the
 * candidates of `conversation_id` no such id is as long as, before they are cut out: the first
 * prefix (`sp` of `sp_<spot>_<post>`) is rarely a spot, and each candidate costs a new string
 * and a lookup in a map of the tenant's spots that is seldom in the cache.
 */
export function eventSpots(event: CloudEvent, lengths = ALL_LENGTHS): string[] {
  const attr = event.spotid;
  if ((typeof attr === 'string' && attr.length > 0) || typeof attr === 'number') return [String(attr)];
  const conversation = event.data.conversation_id;
  if (typeof conversation !== 'string') return [];
  const spots: string[] = [];
  for (let i = conversation.indexOf('_'); i > 0; i = conversation.indexOf('_', i + 1)) {
    if ((lengths & spotLengthBit(i)) !== 0) spots.push(conversation.slice(0, i));
  }
  return spots;
}

const ALL_LENGTHS = -1;

/** A spot id's length as one bit of a mask of lengths; lengths of 31 and more share the last bit. */
export function spotLengthBit(length: number): number {
  return 1 << (length < 31 ? length : 31);
}
