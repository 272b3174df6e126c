import { randomUUID } from 'node:crypto';
import { fixtures, normalizeWebhookRequest, validateEvent, type CloudEvent } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import type { AcceptedEvent } from '../../src/intake/decode.js';

export const TENANT = '6c1f7a52-4a8e-4c1e-9d2b-0a5b7c9e1f23';
export const OTHER_TENANT = '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f';

/** A webhook record as the store hands it out, from a request in either seed shape. */
export function record(request: Record<string, unknown>, over: Partial<WebhookRecord> = {}): WebhookRecord {
  const r = normalizeWebhookRequest(request);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const now = new Date();
  return {
    id: randomUUID(),
    tenantId: TENANT,
    kind: r.value.kind,
    enabled: r.value.enabled,
    buggy: false,
    object: r.value.object ?? null,
    spec: r.value,
    secretsEnc: null,
    fingerprint: randomUUID(),
    consecutiveFailures: 0,
    markedBuggyAt: null,
    revision: 1,
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

export const notification = (email: string[], inApp: string[] = [], extra: Record<string, unknown> = {}) => ({
  endpoint: 'https://partner.example/hook',
  registered_events: { email, 'in-app': inApp },
  ...extra,
});

export const entity = (events?: string, object?: string) => ({
  callback: 'http://partner.example/jive',
  ...(events !== undefined ? { events } : {}),
  ...(object !== undefined ? { object } : {}),
});

/** A validated event of the tenant, as the intake hands it to matching. */
export function accepted(type: string, data?: Record<string, unknown>, overrides: Record<string, unknown> = {}): AcceptedEvent {
  const envelope = fixtures.envelope(type, data ?? fixtures.eventData(type), { tenantid: TENANT, ...overrides });
  const v = validateEvent(envelope);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return { ok: true, event: v.value as CloudEvent, type: v.type, family: v.family };
}
