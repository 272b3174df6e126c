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

interface Placement {
  sub: Subscriber;
  undo: Array<() => void>;
}

/**
 * Enabled webhooks, indexed the way events look them up: notification webhooks by
 * tenant + type + channel (then spot), system webhooks by tenant + category, content
 * webhooks by tenant + watched URI. A lookup touches only the webhooks it returns,
 * whatever the number of webhooks of the tenant. Disabled webhooks are not indexed;
 * buggy ones are (the matcher records a skipped delivery for them instead of a job).
 */
export class SubscriptionIndex {
  private readonly placed = new Map<string, Placement>();
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
    const undo: Array<() => void> = [];
    if (sub.kind === 'notification') {
      for (const channel of NOTIFICATION_CHANNELS) {
        for (const type of sub.registered[channel]) undo.push(this.placeNotification(sub, type, channel));
      }
    } else if (sub.kind === 'system') {
      for (const category of sub.categories) undo.push(place(this.system, key(sub.tenantId, category), sub));
    } else if (sub.object) {
      undo.push(place(this.content, key(sub.tenantId, sub.object), sub));
    }
    this.placed.set(sub.id, { sub, undo });
  }

  remove(webhookId: string): void {
    const p = this.placed.get(webhookId);
    if (!p) return;
    for (const u of p.undo) u();
    this.placed.delete(webhookId);
  }

  clear(): void {
    this.placed.clear();
    this.notification.clear();
    this.system.clear();
    this.content.clear();
  }

  notificationBucket(tenantId: string, type: string, channel: NotificationChannel): NotificationBucket | undefined {
    return this.notification.get(key(tenantId, type, channel));
  }

  systemSubscribers(tenantId: string, category: string): ReadonlyMap<string, Subscriber> {
    return this.system.get(key(tenantId, category)) ?? EMPTY;
  }

  contentSubscribers(tenantId: string, objectUri: string): ReadonlyMap<string, Subscriber> {
    return this.content.get(key(tenantId, objectUri)) ?? EMPTY;
  }

  private placeNotification(sub: Subscriber, type: string, channel: NotificationChannel): () => void {
    const k = key(sub.tenantId, type, channel);
    let bucket = this.notification.get(k);
    if (!bucket) {
      bucket = { anySpot: new Map(), bySpot: new Map() };
      this.notification.set(k, bucket);
    }
    const b = bucket;
    const dropBucketIfEmpty = () => {
      if (b.anySpot.size === 0 && b.bySpot.size === 0 && this.notification.get(k) === b) this.notification.delete(k);
    };
    if (sub.spotId === undefined) {
      b.anySpot.set(sub.id, sub);
      return () => {
        b.anySpot.delete(sub.id);
        dropBucketIfEmpty();
      };
    }
    const spot = sub.spotId;
    const undoSpot = place(b.bySpot, spot, sub);
    return () => {
      undoSpot();
      dropBucketIfEmpty();
    };
  }
}

function key(...parts: string[]): string {
  return parts.join(SEP);
}

/** Puts a subscriber into map[k] and returns how to take it out again (dropping empty sets). */
function place(map: Map<string, Map<string, Subscriber>>, k: string, sub: Subscriber): () => void {
  let set = map.get(k);
  if (!set) {
    set = new Map();
    map.set(k, set);
  }
  const s = set;
  s.set(sub.id, sub);
  return () => {
    s.delete(sub.id);
    if (s.size === 0 && map.get(k) === s) map.delete(k);
  };
}
