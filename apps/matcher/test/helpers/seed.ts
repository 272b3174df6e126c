import { randomBytes, randomUUID } from 'node:crypto';
import { normalizeWebhookRequest, type WebhookSpec } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';

/** A tenant row, as the gateway would create it. */
export async function createTenant(db: Knex, name = 'test tenant'): Promise<string> {
  const [row] = await db('tenants')
    .insert({ name, api_key_hash: randomBytes(16).toString('hex'), api_key_hint: 'hs_test' })
    .returning<{ id: string }[]>('id');
  return row!.id;
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
  const [row] = await db('webhooks')
    .insert({
      tenant_id: tenantId,
      kind: spec.kind,
      enabled: opts.enabled ?? spec.enabled,
      buggy: opts.buggy ?? false,
      object: spec.object ?? null,
      spec: JSON.stringify(spec),
      fingerprint: randomUUID(),
    })
    .returning<{ id: string }[]>('id');
  return row!.id;
}

/** Changes a webhook as the API does (revision bumped, updated_at refreshed). */
export async function updateWebhook(db: Knex, id: string, change: { request?: Record<string, unknown>; enabled?: boolean; buggy?: boolean }): Promise<void> {
  const patch: Record<string, unknown> = { revision: db.raw('revision + 1'), updated_at: db.fn.now() };
  if (change.request) {
    const spec = specOf(change.request);
    Object.assign(patch, { spec: JSON.stringify(spec), kind: spec.kind, object: spec.object ?? null, enabled: spec.enabled });
  }
  if (change.enabled !== undefined) patch.enabled = change.enabled;
  if (change.buggy !== undefined) patch.buggy = change.buggy;
  await db('webhooks').where({ id }).update(patch);
}

export async function deleteWebhook(db: Knex, id: string): Promise<void> {
  await db('webhooks').where({ id }).delete();
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
