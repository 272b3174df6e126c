import { randomBytes, randomUUID } from 'node:crypto';
import { fixtures } from '@hookstream/schemas';
import { GatewayClient, type Receiver, type TestSystem } from '@hookstream/test-kit';

export interface Tenant {
  id: string;
  api: GatewayClient;
}

export async function newTenant(system: TestSystem, name = 'e2e'): Promise<Tenant> {
  const t = await system.admin.createTenant(`${name}-${randomBytes(3).toString('hex')}`);
  return { id: t.id, api: new GatewayClient(system.gateway.baseUrl, t.api_key) };
}

/** A notification configuration with an inline token, pointed at the receiver. */
export function tokenWebhook(receiver: Receiver, path: string, registered: { email?: string[]; 'in-app'?: string[] }, extra: Record<string, unknown> = {}) {
  return {
    enabled: true,
    endpoint: `${receiver.url}${path}`,
    auth_type: 'partner_secret_token',
    auth_config: { token: `tok-${path.replace(/\W/g, '')}-0123456789` },
    retry_base: 1,
    retry_max_count: 5,
    registered_events: { email: registered.email ?? [], 'in-app': registered['in-app'] ?? [] },
    ...extra,
  };
}

/**
 * A fixture event of the type for the tenant, with a fresh id. The fixture's own
 * `data.event_id` is dropped so the delivered `event_id` is the CloudEvent id.
 */
export function event(type: string, tenantId: string, overrides: Record<string, unknown> = {}) {
  const e = fixtures.envelope(type, undefined, { id: randomUUID(), tenantid: tenantId, ...overrides });
  delete (e.data as Record<string, unknown>).event_id;
  return e;
}
