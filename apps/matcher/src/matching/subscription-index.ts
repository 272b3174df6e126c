import { NOTIFICATION_CHANNELS, type NotificationChannel } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import { spotLengthBit } from './spot.js';
import { subscriberOf, type Subscriber } from './subscriber.js';

/** A notification webhook as one type's lists hold it: with the channels it registered the type on. */
export interface NotificationEntry {
  subscriber: Subscriber;
  /** Bit `1 << i` for each `NOTIFICATION_CHANNELS[i]` the webhook registered the type on (see {@link channelBit}). */
  channels: number;
}

/** One list of entries per channel, in `NOTIFICATION_CHANNELS` order; an entry is in the list of every channel it registered. */
export type ChannelLists = NotificationEntry[][];

/** Notification webhooks of one tenant + type: unbound ones, and spot-bound ones by spot. */
export interface NotificationLists {
  anySpot: ChannelLists;
  bySpot: Map<string, ChannelLists>;
  /** {@link spotLengthBit} of the length of every key of `bySpot`: candidates of other lengths are not looked up. */
  spotLengths: number;
}

/** A read-only view of one tenant + type + channel, by webhook id (tests and inspection; built per call). */
export interface NotificationBucket {
  anySpot: ReadonlyMap<string, Subscriber>;
  bySpot: ReadonlyMap<string, ReadonlyMap<string, Subscriber>>;
}

const CHANNEL_BITS = Object.fromEntries(NOTIFICATION_CHANNELS.map((c, i) => [c, 1 << i])) as Record<NotificationChannel, number>;

/** The bit of a channel in {@link NotificationEntry.channels}. */
export function channelBit(channel: NotificationChannel): number {
  return CHANNEL_BITS[channel];
}

const EMPTY: ReadonlyMap<string, Subscriber> = new Map();

// Every map is keyed by tenant first, then by one more attribute: an event's lookup keys are
// strings it already holds (its tenant id, a catalogue type, a URI), so no key is concatenated
// per event (a concatenated key is flattened and hashed again on every lookup).
type ByTenant<T> = Map<string, Map<string, T>>;

/**
 * Enabled webhooks, indexed the way events look them up: notification webhooks by
 * tenant + type (then spot, then channel, in arrays of entries that carry the webhook's channels
 * for the type, so matching reads neither the webhook's sets nor a map per channel), system webhooks by tenant + category, content
 * webhooks by tenant + watched URI. A lookup touches only the webhooks it returns,
 * whatever the number of webhooks of the tenant. Disabled webhooks are not indexed;
 * buggy ones are (the matcher records a skipped delivery for them instead of a job).
 *
 * A webhook's places are derived from its subscriber again when it is removed, rather than
 * remembered per place: the index holds 100k webhooks and more, and removal is rare.
 */
export class SubscriptionIndex {
  private readonly placed = new Map<string, Subscriber>();
  /** tenant -> type -> lists. */
  private readonly notification: ByTenant<NotificationLists> = new Map();
  private readonly system: ByTenant<Map<string, Subscriber>> = new Map();
  private readonly content: ByTenant<Map<string, Subscriber>> = new Map();

  constructor(private readonly publicUrl: string) {}

  /** Number of indexed (enabled) webhooks. */
  get size(): number {
    return this.placed.size;
  }

  has(webhookId: string): boolean {
    return this.placed.has(webhookId);
  }

  /** An indexed (enabled) webhook by id. */
  subscriber(webhookId: string): Subscriber | undefined {
    return this.placed.get(webhookId);
  }

  /** Adds or replaces a webhook; a disabled one is only removed. */
  upsert(record: WebhookRecord): void {
    this.remove(record.id);
    if (!record.enabled) return;
    const sub = subscriberOf(record, this.publicUrl);
    if (sub.kind === 'notification') {
      for (const [type, channels] of notificationTypesOf(sub)) this.placeNotification(sub, type, channels);
    } else if (sub.kind === 'system') {
      for (const category of sub.categories) place(this.system, sub.tenantId, category, sub);
    } else if (sub.object) {
      place(this.content, sub.tenantId, sub.object, sub);
    }
    this.placed.set(sub.id, sub);
  }

  remove(webhookId: string): void {
    const sub = this.placed.get(webhookId);
    if (!sub) return;
    if (sub.kind === 'notification') {
      for (const type of notificationTypesOf(sub).keys()) this.unplaceNotification(sub, type);
    } else if (sub.kind === 'system') {
      for (const category of sub.categories) unplace(this.system, sub.tenantId, category, sub.id);
    } else if (sub.object) {
      unplace(this.content, sub.tenantId, sub.object, sub.id);
    }
    this.placed.delete(webhookId);
  }

  clear(): void {
    this.placed.clear();
    this.notification.clear();
    this.system.clear();
    this.content.clear();
  }

  /** The notification webhooks of a tenant + (canonical) type, for matching. */
  notificationLists(tenantId: string, type: string): NotificationLists | undefined {
    return this.notification.get(tenantId)?.get(type);
  }

  /** The webhooks of a tenant + type registered on a channel, by id (a view built per call). */
  notificationBucket(tenantId: string, type: string, channel: NotificationChannel): NotificationBucket | undefined {
    const lists = this.notificationLists(tenantId, type);
    if (!lists) return undefined;
    const at = NOTIFICATION_CHANNELS.indexOf(channel);
    const byId = (entries: readonly NotificationEntry[]) => new Map(entries.map((e) => [e.subscriber.id, e.subscriber]));
    const bySpot = new Map([...lists.bySpot].filter(([, l]) => l[at]!.length > 0).map(([spot, l]) => [spot, byId(l[at]!)]));
    return lists.anySpot[at]!.length === 0 && bySpot.size === 0 ? undefined : { anySpot: byId(lists.anySpot[at]!), bySpot };
  }

  systemSubscribers(tenantId: string, category: string): ReadonlyMap<string, Subscriber> {
    return this.system.get(tenantId)?.get(category) ?? EMPTY;
  }

  contentSubscribers(tenantId: string, objectUri: string): ReadonlyMap<string, Subscriber> {
    return this.content.get(tenantId)?.get(objectUri) ?? EMPTY;
  }

  private placeNotification(sub: Subscriber, type: string, channels: number): void {
    let tenant = this.notification.get(sub.tenantId);
    if (!tenant) {
      tenant = new Map();
      this.notification.set(sub.tenantId, tenant);
    }
    let lists = tenant.get(type);
    if (!lists) {
      lists = { anySpot: channelLists(), bySpot: new Map(), spotLengths: 0 };
      tenant.set(type, lists);
    }
    let spotLists = lists.anySpot;
    if (sub.spotId !== undefined) {
      spotLists = lists.bySpot.get(sub.spotId) ?? channelLists();
      lists.bySpot.set(sub.spotId, spotLists);
      lists.spotLengths |= spotLengthBit(sub.spotId.length);
    }
    const entry: NotificationEntry = { subscriber: sub, channels };
    for (let i = 0; i < spotLists.length; i++) if (channels & (1 << i)) spotLists[i]!.push(entry);
  }

  private unplaceNotification(sub: Subscriber, type: string): void {
    const tenant = this.notification.get(sub.tenantId);
    const lists = tenant?.get(type);
    if (!tenant || !lists) return;
    const spotLists = sub.spotId === undefined ? lists.anySpot : lists.bySpot.get(sub.spotId);
    if (!spotLists) return;
    // Removal keeps the others' order (the order matching finds them in); it is rare, the lists short.
    for (const list of spotLists) {
      const at = list.findIndex((e) => e.subscriber.id === sub.id);
      if (at >= 0) list.splice(at, 1);
    }
    if (sub.spotId !== undefined && isEmpty(spotLists)) {
      lists.bySpot.delete(sub.spotId);
      lists.spotLengths = 0;
      for (const spot of lists.bySpot.keys()) lists.spotLengths |= spotLengthBit(spot.length);
    }
    if (isEmpty(lists.anySpot) && lists.bySpot.size === 0) tenant.delete(type);
    if (tenant.size === 0) this.notification.delete(sub.tenantId);
  }
}

/** The types a notification webhook registered, each with the bits of the channels it registered it on. */
function notificationTypesOf(sub: Subscriber): Map<string, number> {
  const types = new Map<string, number>();
  for (const channel of NOTIFICATION_CHANNELS) {
    for (const type of sub.registered[channel]) types.set(type, (types.get(type) ?? 0) | channelBit(channel));
  }
  return types;
}

const channelLists = (): ChannelLists => NOTIFICATION_CHANNELS.map(() => []);

const isEmpty = (lists: ChannelLists): boolean => lists.every((l) => l.length === 0);

function place(map: ByTenant<Map<string, Subscriber>>, tenantId: string, k: string, sub: Subscriber): void {
  let tenant = map.get(tenantId);
  if (!tenant) {
    tenant = new Map();
    map.set(tenantId, tenant);
  }
  placeIn(tenant, k, sub);
}

/** Takes a subscriber out of map[tenant][k], dropping what becomes empty. */
function unplace(map: ByTenant<Map<string, Subscriber>>, tenantId: string, k: string, id: string): void {
  const tenant = map.get(tenantId);
  if (!tenant) return;
  unplaceFrom(tenant, k, id);
  if (tenant.size === 0) map.delete(tenantId);
}

function placeIn(map: Map<string, Map<string, Subscriber>>, k: string, sub: Subscriber): void {
  let set = map.get(k);
  if (!set) {
    set = new Map();
    map.set(k, set);
  }
  set.set(sub.id, sub);
}

function unplaceFrom(map: Map<string, Map<string, Subscriber>>, k: string, id: string): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(k);
}
