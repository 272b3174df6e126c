import { randomBytes, randomUUID } from 'node:crypto';
import { normalizeWebhookRequest, type WebhookSpec } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import { createTenant as storeTenant } from '@hookstream/store';
import { bumpWebhookRevision, deleteWebhookRow, insertWebhookRow } from '@hookstream/store/testing';

/** A tenant row, as the gateway would create it. */
export async function createTenant(db: Knex, name = 'test tenant'): Promise<string> {
  const tenant = await storeTenant(db, name, { api_key_hash: randomBytes(16).toString('hex'), api_key_hint: 'hs_test' });
  return tenant.id;
}

/** The normalized spec of a webhook request; throws with the paths when the request is invalid. */
export function specOf(request: Record<string, unknown>): WebhookSpec {
  const r = normalizeWebhookRequest(request);
  if (!r.ok) throw new Error(`bad webhook request: ${JSON.stringify(r.errors)}`);
  return r.value;
}

/** Inserts a webhook row the way the gateway stores one (secret-free spec, indexed columns). */
export async function createWebhook(
  db: Knex,
  tenantId: string,
  request: Record<string, unknown>,
  opts: { enabled?: boolean; buggy?: boolean } = {},
): Promise<string> {
  const spec = specOf(request);
  return insertWebhookRow(db, {
    tenant_id: tenantId,
    kind: spec.kind,
    enabled: opts.enabled ?? spec.enabled,
    buggy: opts.buggy ?? false,
    object: spec.object ?? null,
    spec: JSON.stringify(spec),
    fingerprint: randomUUID(),
  });
}

/** Changes a webhook as the API does (revision bumped, updated_at refreshed). */
export async function updateWebhook(db: Knex, id: string, change: { request?: Record<string, unknown>; enabled?: boolean; buggy?: boolean }): Promise<void> {
  const patch: Record<string, unknown> = {};
  if (change.request) {
    const spec = specOf(change.request);
    Object.assign(patch, { spec: JSON.stringify(spec), kind: spec.kind, object: spec.object ?? null, enabled: spec.enabled });
  }
  if (change.enabled !== undefined) patch.enabled = change.enabled;
  if (change.buggy !== undefined) patch.buggy = change.buggy;
  await bumpWebhookRevision(db, id, patch);
}

export async function deleteWebhook(db: Knex, id: string): Promise<void> {
  await deleteWebhookRow(db, id);
}

/** Notification configuration (notification seed shape) registering types per channel. */
export function notificationRequest(email: string[], inApp: string[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    endpoint: `https://partner.example/hooks/${randomUUID()}`,
    auth_type: 'partner_secret_token',
    auth_config: { secret_name: 'partners/test/token' },
    registered_events: { email, 'in-app': inApp },
    ...extra,
  };
}

/** Webhooks-service entity (Jive seed shape). */
export function entityRequest(events: string | undefined, object?: string): Record<string, unknown> {
  return {
    callback: `http://partner.example/jive/${randomUUID()}`,
    ...(events !== undefined ? { events } : {}),
    ...(object !== undefined ? { object } : {}),
  };
}
