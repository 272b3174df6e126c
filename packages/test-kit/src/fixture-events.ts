import { randomUUID } from 'node:crypto';
import { fixtures, type CloudEvent } from '@hookstream/schemas';

/**
 * A fixture event of the type for the tenant, with a fresh id. The fixture's own
 * `data.event_id` is dropped so the delivered `event_id` is the CloudEvent id, which is
 * how tests match receipts to publishes.
 */
export function freshEvent(type: string, tenantId: string, overrides: Record<string, unknown> = {}): CloudEvent & { id: string } {
  const e = fixtures.envelope(type, undefined, { id: randomUUID(), tenantid: tenantId, ...overrides });
  delete (e.data as Record<string, unknown>).event_id;
  return e as CloudEvent & { id: string };
}

/** A notification configuration with an inline token, pointed at a receiver URL. */
export function tokenWebhookSpec(endpoint: string, registered: { email?: string[]; 'in-app'?: string[] }, extra: Record<string, unknown> = {}) {
  return {
    enabled: true,
    endpoint,
    auth_type: 'partner_secret_token',
    auth_config: { token: `tok-${new URL(endpoint).pathname.replace(/\W/g, '')}-0123456789` },
    retry_base: 1,
    retry_max_count: 5,
    registered_events: { email: registered.email ?? [], 'in-app': registered['in-app'] ?? [] },
    ...extra,
  };
}
