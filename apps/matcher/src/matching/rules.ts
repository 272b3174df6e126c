import { contentRoutingKeys, contentTypeOf, NOTIFICATION_CHANNELS, systemCategoryOf, type NotificationChannel } from '@hookstream/schemas';
import type { AcceptedEvent } from '../intake/decode.js';
import { eventSpots } from './spot.js';
import type { Subscriber } from './subscriber.js';
import { channelBit, type ChannelLists, type NotificationEntry, type SubscriptionIndex } from './subscription-index.js';

export interface Match {
  subscriber: Subscriber;
  /** Notifications only: the channels announced to this webhook (event order), never empty. */
  channels?: NotificationChannel[];
}

/**
 * The webhooks of the event's tenant that receive it (enabled ones; buggy ones included,
 * flagged on the subscriber), in a stable order.
 */
export function matchEvent(index: SubscriptionIndex, accepted: AcceptedEvent): Match[] {
  if (accepted.testWebhookId !== undefined) return matchTestEvent(index, accepted, accepted.testWebhookId);
  switch (accepted.family) {
    case 'notification':
      return matchNotification(index, accepted);
    case 'content':
      return matchContent(index, accepted);
    case 'system':
      return matchSystem(index, accepted);
  }
}

/**
 * Notification seed: a webhook receives the event if it registered the type on at least one
 * of the event's channels; it is told only those channels, and an empty intersection means
 * nothing is sent. A webhook with a `spot_id` receives only events of that spot.
 */
function matchNotification(index: SubscriptionIndex, { event, type }: AcceptedEvent): Match[] {
  const matches: Match[] = [];
  const lists = index.notificationLists(event.tenantid, type);
  if (!lists) return matches;
  const requested = eventChannels(event.data.channels);
  let all = 0;
  for (const c of requested) all |= channelBit(c);
  // The lists of the event's spots, looked up once for all of its channels.
  const spots = lists.bySpot.size === 0 ? NO_SPOTS : eventSpots(event, lists.spotLengths);
  const spotLists: ChannelLists[] = [];
  for (const spot of spots) {
    const found = lists.bySpot.get(spot);
    if (found) spotLists.push(found);
  }
  // The event's channels in order; a webhook registered on an earlier one was found in that
  // channel's list already (a webhook's spot is the same on every channel), so each webhook is
  // taken once, where it is first found, without a set of what was found.
  let earlier = 0;
  for (const channel of requested) {
    const at = channelIndex(channel);
    addNotificationMatches(matches, lists.anySpot[at]!, earlier, all, requested);
    for (const found of spotLists) addNotificationMatches(matches, found[at]!, earlier, all, requested);
    earlier |= channelBit(channel);
  }
  return matches;
}

const NO_SPOTS: readonly string[] = [];

/** Adds the webhooks of one channel's list, but those an earlier channel's list held. */
function addNotificationMatches(matches: Match[], entries: readonly NotificationEntry[], earlier: number, all: number, requested: NotificationChannel[]): void {
  for (const entry of entries) {
    if ((entry.channels & earlier) !== 0) continue;
    matches.push({ subscriber: entry.subscriber, channels: announcedChannels(requested, entry.channels & all) });
  }
}

/**
 * The requested channels on which the webhook registered the type (`registered`: their bits), in
 * the event's order. When that is all of them (the usual case) the event's own list is returned,
 * so the webhooks of one event share channel lists and their bodies are rendered once per list.
 */
function announcedChannels(requested: NotificationChannel[], registered: number): NotificationChannel[] {
  let count = 0;
  let only: NotificationChannel | undefined;
  for (const c of requested) {
    if ((registered & channelBit(c)) !== 0) {
      only = c;
      count++;
    }
  }
  if (count === requested.length) return requested;
  // One channel of the event's: a shared list per channel (frozen: bodies and rows only read it),
  // so these webhooks' bodies are also found by list identity.
  return count === 1 ? ONE_CHANNEL[only!] : requested.filter((c) => (registered & channelBit(c)) !== 0);
}

const channelIndex = (channel: NotificationChannel): number => NOTIFICATION_CHANNELS.indexOf(channel);

const ONE_CHANNEL = Object.fromEntries(NOTIFICATION_CHANNELS.map((c) => [c, Object.freeze([c])])) as unknown as Record<
  NotificationChannel,
  NotificationChannel[]
>;

/**
 * A test event (issue 20) goes to the one webhook it names, and only if that webhook is enabled
 * and belongs to the event's tenant (a record produced directly cannot reach another tenant's
 * webhook): whatever it subscribes to, so a partner can try any type. A notification is
 * announced on the channels the event names (at least `email`).
 */
function matchTestEvent(index: SubscriptionIndex, { event, family }: AcceptedEvent, webhookId: string): Match[] {
  const subscriber = index.subscriber(webhookId);
  if (!subscriber || subscriber.tenantId !== event.tenantid) return [];
  if (family !== 'notification') return [{ subscriber }];
  const channels = eventChannels(event.data.channels);
  return [{ subscriber, channels: channels.length > 0 ? channels : ['email'] }];
}

// The lists events name nearly always, shared (frozen: matching and bodies only read them) rather
// than made per event; a shared list also lets bodies be found by identity (deliveredBodiesOf).
const EMAIL_THEN_IN_APP = Object.freeze(['email', 'in-app']) as unknown as NotificationChannel[];
const IN_APP_THEN_EMAIL = Object.freeze(['in-app', 'email']) as unknown as NotificationChannel[];

function eventChannels(value: unknown): NotificationChannel[] {
  if (!Array.isArray(value)) return [];
  if (value.length === 1) {
    const only = value[0];
    if (only === 'email') return ONE_CHANNEL.email;
    if (only === 'in-app') return ONE_CHANNEL['in-app'];
  } else if (value.length === 2) {
    if (value[0] === 'email' && value[1] === 'in-app') return EMAIL_THEN_IN_APP;
    if (value[0] === 'in-app' && value[1] === 'email') return IN_APP_THEN_EMAIL;
  }
  const out: NotificationChannel[] = [];
  // The literals, not the parsed strings: the channel keys the index's objects and the webhooks'
  // sets per event, and a parsed string would be looked up in the string table for each key access.
  for (const c of value) {
    const channel = c === 'email' ? 'email' : c === 'in-app' ? 'in-app' : undefined;
    if (channel !== undefined && !out.includes(channel)) out.push(channel);
  }
  return out;
}

/**
 * Jive content webhooks: the watched `object` is the event's container (`target`), the object
 * itself, or the object's parent content; `events`, when given, keeps only the listed content
 * types. A comment or reply counts as activity on its parent content too, so a "document"
 * webhook also sees comments on documents (the parent type comes from `jive.parentType`).
 */
function matchContent(index: SubscriptionIndex, { event }: AcceptedEvent): Match[] {
  const activity = event.data as Parameters<typeof contentRoutingKeys>[0];
  const matches: Match[] = [];
  let types: string[] | undefined;
  // The keys are distinct and a content webhook is indexed under its one watched URI, so no
  // webhook is found under two keys: the matches are taken as found, without a map of those found.
  for (const uri of contentRoutingKeys(activity)) {
    for (const s of index.contentSubscribers(event.tenantid, uri).values()) {
      if (s.contentTypes) {
        types ??= contentTypesOf(event.data);
        if (!types.some((t) => s.contentTypes!.has(t))) continue;
      }
      matches.push({ subscriber: s });
    }
  }
  return matches;
}

/** The content types an activity counts as: its object's type, then its parent's. */
export function contentTypesOf(data: Record<string, unknown>): string[] {
  const types: string[] = [];
  const own = contentTypeOf(data as Parameters<typeof contentTypeOf>[0]);
  if (own) types.push(own);
  const parentType = (data.jive as { parentType?: unknown } | undefined)?.parentType;
  const parent = typeof parentType === 'string' ? contentTypeOf({ object: { objectType: parentType } }) : undefined;
  if (parent && !types.includes(parent)) types.push(parent);
  return types;
}

/** Jive system webhooks: the webhook's `events` lists the verb's category. */
function matchSystem(index: SubscriptionIndex, { event, type }: AcceptedEvent): Match[] {
  const category = systemCategoryOf(type);
  if (!category) return [];
  const matches: Match[] = [];
  for (const subscriber of index.systemSubscribers(event.tenantid, category).values()) matches.push({ subscriber });
  return matches;
}
