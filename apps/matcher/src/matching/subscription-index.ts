import { NOTIFICATION_CHANNELS, type NotificationChannel } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import { subscriberOf, type Subscriber } from './subscriber.js';

/** Notification subscribers of one tenant + type + channel: unbound ones, and spot-bound ones by spot. */
export interface NotificationBucket {
  anySpot: Map<string, Subscriber>;
  bySpot: Map<string, Map<string, Subscriber>>;
}

const EMPTY: ReadonlyMap<string, Subscriber> = new Map();
const SEP = '\u0000';

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
  private readonly notification = new Map<string, NotificationBucket>();
  private readonly system = new Map<string, Map<string, Subscriber>>();
  private readonly content = new Map<string, Map<string, Subscriber>>();

  constructor(private readonly publicUrl: string) {}

  /** Number of indexed (enabled) webhooks. */
  get size(): number {
    return this.placed.size;
  }

  has(webhookId: string): boolean {
    return this.placed.has(webhookId);
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
      for (const category of sub.categories) place(this.system, systemKey(sub.tenantId, category), sub);
    } else if (sub.object) {
      place(this.content, contentKey(sub.tenantId, sub.object), sub);
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
      for (const category of sub.categories) unplace(this.system, systemKey(sub.tenantId, category), sub.id);
    } else if (sub.object) {
      unplace(this.content, contentKey(sub.tenantId, sub.object), sub.id);
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
    return this.notification.get(notificationKey(tenantId, type, channel));
  }

  systemSubscribers(tenantId: string, category: string): ReadonlyMap<string, Subscriber> {
    return this.system.get(systemKey(tenantId, category)) ?? EMPTY;
  }

  contentSubscribers(tenantId: string, objectUri: string): ReadonlyMap<string, Subscriber> {
    return this.content.get(contentKey(tenantId, objectUri)) ?? EMPTY;
  }

  private placeNotification(sub: Subscriber, type: string, channel: NotificationChannel): void {
    const k = notificationKey(sub.tenantId, type, channel);
    let bucket = this.notification.get(k);
    if (!bucket) {
      bucket = { anySpot: new Map(), bySpot: new Map() };
      this.notification.set(k, bucket);
    }
    if (sub.spotId === undefined) bucket.anySpot.set(sub.id, sub);
    else place(bucket.bySpot, sub.spotId, sub);
  }

  private unplaceNotification(sub: Subscriber, type: string, channel: NotificationChannel): void {
    const k = notificationKey(sub.tenantId, type, channel);
    const bucket = this.notification.get(k);
    if (!bucket) return;
    if (sub.spotId === undefined) bucket.anySpot.delete(sub.id);
    else unplace(bucket.bySpot, sub.spotId, sub.id);
    if (bucket.anySpot.size === 0 && bucket.bySpot.size === 0) this.notification.delete(k);
  }
}

const notificationKey = (tenantId: string, type: string, channel: string) => tenantId + SEP + type + SEP + channel;
const systemKey = (tenantId: string, category: string) => tenantId + SEP + category;
const contentKey = (tenantId: string, objectUri: string) => tenantId + SEP + objectUri;

function place(map: Map<string, Map<string, Subscriber>>, k: string, sub: Subscriber): void {
  let set = map.get(k);
  if (!set) {
    set = new Map();
    map.set(k, set);
  }
  set.set(sub.id, sub);
}

/** Takes a subscriber out of map[k], dropping the set once empty. */
function unplace(map: Map<string, Map<string, Subscriber>>, k: string, id: string): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(k);
}
