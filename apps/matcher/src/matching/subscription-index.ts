import { NOTIFICATION_CHANNELS, type NotificationChannel } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import { subscriberOf, type Subscriber } from './subscriber.js';

/** Notification subscribers of one tenant + type + channel: unbound ones, and spot-bound ones by spot. */
export interface NotificationBucket {
  anySpot: Map<string, Subscriber>;
  bySpot: Map<string, Map<string, Subscriber>>;
}

const EMPTY: ReadonlyMap<string, Subscriber> = new Map();

// Every map is keyed by tenant first, then by one more attribute: an event's lookup keys are
// strings it already holds (its tenant id, a catalogue type, a URI), so no key is concatenated
// per event (a concatenated key is flattened and hashed again on every lookup).
type ByTenant<T> = Map<string, Map<string, T>>;

/**
 * Enabled webhooks, indexed the way events look them up: notification webhooks by
 * tenant + type + channel (then spot), system webhooks by tenant + category, content
 * webhooks by tenant + watched URI. A lookup touches only the webhooks it returns,
 * whatever the number of webhooks of the tenant. Disabled webhooks are not indexed;
 * buggy ones are (the matcher records a skipped delivery for them instead of a job).
 *
 * A webhook's places are derived from its subscriber again when it is removed, rather than
 * remembered per place: the index holds 100k webhooks and more, and removal is rare.
 */
export class SubscriptionIndex {
  private readonly placed = new Map<string, Subscriber>();
  /** tenant -> `channel` -> type (NOTIFICATION_CHANNELS are few, so a channel picks one of them). */
  private readonly notification = new Map<string, Record<NotificationChannel, Map<string, NotificationBucket>>>();
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
      for (const channel of NOTIFICATION_CHANNELS) {
        for (const type of sub.registered[channel]) this.placeNotification(sub, type, channel);
      }
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
      for (const channel of NOTIFICATION_CHANNELS) {
        for (const type of sub.registered[channel]) this.unplaceNotification(sub, type, channel);
      }
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

  notificationBucket(tenantId: string, type: string, channel: NotificationChannel): NotificationBucket | undefined {
    return this.notification.get(tenantId)?.[channel]?.get(type);
  }

  systemSubscribers(tenantId: string, category: string): ReadonlyMap<string, Subscriber> {
    return this.system.get(tenantId)?.get(category) ?? EMPTY;
  }

  contentSubscribers(tenantId: string, objectUri: string): ReadonlyMap<string, Subscriber> {
    return this.content.get(tenantId)?.get(objectUri) ?? EMPTY;
  }

  private placeNotification(sub: Subscriber, type: string, channel: NotificationChannel): void {
    let tenant = this.notification.get(sub.tenantId);
    if (!tenant) {
      tenant = { email: new Map(), 'in-app': new Map() };
      this.notification.set(sub.tenantId, tenant);
    }
    let bucket = tenant[channel].get(type);
    if (!bucket) {
      bucket = { anySpot: new Map(), bySpot: new Map() };
      tenant[channel].set(type, bucket);
    }
    if (sub.spotId === undefined) bucket.anySpot.set(sub.id, sub);
    else placeIn(bucket.bySpot, sub.spotId, sub);
  }

  private unplaceNotification(sub: Subscriber, type: string, channel: NotificationChannel): void {
    const tenant = this.notification.get(sub.tenantId);
    const bucket = tenant?.[channel].get(type);
    if (!tenant || !bucket) return;
    if (sub.spotId === undefined) bucket.anySpot.delete(sub.id);
    else unplaceFrom(bucket.bySpot, sub.spotId, sub.id);
    if (bucket.anySpot.size === 0 && bucket.bySpot.size === 0) tenant[channel].delete(type);
    if (NOTIFICATION_CHANNELS.every((c) => tenant[c].size === 0)) this.notification.delete(sub.tenantId);
  }
}

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
