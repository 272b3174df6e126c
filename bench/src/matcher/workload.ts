import { randomUUID } from 'node:crypto';
import {
  fixtures,
  NOTIFICATION_TYPES,
  normalizeWebhookRequest,
  SYSTEM_CATEGORIES,
  SYSTEM_EVENT_CATEGORIES,
  type CloudEvent,
  type WebhookSpec,
} from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';

/**
 * A synthetic but seed-shaped population: per tenant, notification webhooks bound to spots
 * (the notification seed: one configuration per spot), content webhooks on places and
 * documents, and system webhooks over one or two categories.
 */
export interface WorkloadShape {
  tenants: number;
  webhooksPerTenant: number;
  /** Shares of notification / content / system webhooks (the rest is system). */
  notificationShare: number;
  contentShare: number;
  spotsPerTenant: number;
  placesPerTenant: number;
}

export const DEFAULT_SHAPE: WorkloadShape = {
  tenants: 100,
  webhooksPerTenant: 1000,
  notificationShare: 0.5,
  contentShare: 0.3,
  spotsPerTenant: 100,
  placesPerTenant: 100,
};

const JIVE = 'https://sample.jiveon.com/api/core/v3';

/** Deterministic pseudo-random numbers, so runs are comparable. */
export function rng(seed = 42): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

function spec(request: Record<string, unknown>): WebhookSpec {
  const n = normalizeWebhookRequest(request);
  if (!n.ok) throw new Error(JSON.stringify(n.errors));
  return n.value;
}

export function tenantIds(shape: WorkloadShape): string[] {
  const r = rng(7);
  return Array.from({ length: shape.tenants }, () => uuidFrom(r));
}

function uuidFrom(r: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Webhook records of the whole population (ids are UUIDs, as in the table). */
export function webhookRecords(shape: WorkloadShape = DEFAULT_SHAPE): WebhookRecord[] {
  const r = rng(1);
  const now = new Date();
  const out: WebhookRecord[] = [];
  for (const tenantId of tenantIds(shape)) {
    for (let i = 0; i < shape.webhooksPerTenant; i++) {
      const x = i / shape.webhooksPerTenant;
      let request: Record<string, unknown>;
      if (x < shape.notificationShare) {
        const types = () => NOTIFICATION_TYPES.filter(() => r() < 0.33);
        request = {
          endpoint: `https://partner-${i}.example/hook`,
          spot_id: `sp_${i % shape.spotsPerTenant}`,
          registered_events: { email: types(), 'in-app': types() },
        };
      } else if (x < shape.notificationShare + shape.contentShare) {
        const place = Math.floor(r() * shape.placesPerTenant);
        request = {
          callback: `http://partner-${i}.example/jive`,
          object: r() < 0.7 ? `${JIVE}/places/${place}` : `${JIVE}/contents/${place * 10 + Math.floor(r() * 10)}`,
          ...(r() < 0.3 ? { events: 'document' } : {}),
        };
      } else {
        const categories = new Set([pick(r, SYSTEM_CATEGORIES), pick(r, SYSTEM_CATEGORIES)]);
        request = { callback: `http://partner-${i}.example/system`, events: [...categories].join(',') };
      }
      const s = spec(request);
      out.push({
        id: uuidFrom(r),
        tenantId,
        kind: s.kind,
        enabled: true,
        buggy: false,
        object: s.object ?? null,
        spec: s,
        secretsEnc: null,
        fingerprint: String(i),
        consecutiveFailures: 0,
        markedBuggyAt: null,
        revision: 1,
        createdAt: now,
        updatedAt: now,
      });
    }
  }
  return out;
}

/** Events spread over tenants: 70 % notifications, 25 % content activity, 5 % system events. */
export function sampleEvents(count: number, shape: WorkloadShape = DEFAULT_SHAPE, seed = 3): CloudEvent[] {
  const r = rng(seed);
  const tenants = tenantIds(shape);
  const systemVerbs = SYSTEM_CATEGORIES.flatMap((c) => SYSTEM_EVENT_CATEGORIES[c]);
  const out: CloudEvent[] = [];
  for (let i = 0; i < count; i++) {
    const tenantid = pick(r, tenants);
    const x = r();
    let type: string;
    let data: Record<string, unknown>;
    if (x < 0.7) {
      type = pick(r, NOTIFICATION_TYPES);
      data = fixtures.eventData(type);
      delete data.event_id;
      data.conversation_id = `sp_${Math.floor(r() * shape.spotsPerTenant)}_post-${i}`;
      data.channels = r() < 0.5 ? ['email', 'in-app'] : [pick(r, ['email', 'in-app'] as const)];
    } else if (x < 0.95) {
      type = pick(r, ['jive:created', 'jive:modified', 'jive:liked'] as const);
      data = fixtures.eventData(type);
      const place = Math.floor(r() * shape.placesPerTenant);
      data.target = { id: `${JIVE}/places/${place}`, objectType: 'jive:group' };
      data.object = { id: `${JIVE}/contents/${place * 10 + Math.floor(r() * 10)}`, objectType: r() < 0.5 ? 'jive:document' : 'jive:discussion' };
    } else {
      type = pick(r, systemVerbs);
      data = fixtures.eventData(type);
    }
    out.push(fixtures.envelope(type, data, { id: randomUUID(), tenantid }) as CloudEvent);
  }
  return out;
}
