import { randomBytes } from 'node:crypto';
import { GatewayClient, freshEvent, tokenWebhookSpec, type Receiver, type TestSystem } from '@hookstream/test-kit';

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
  return tokenWebhookSpec(`${receiver.url}${path}`, registered, extra);
}

/** A fixture event of the type for the tenant, with a fresh id (also the delivered `event_id`). */
export const event = freshEvent;
