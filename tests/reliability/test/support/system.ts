import { randomBytes } from 'node:crypto';
import { GatewayClient, freshEvent, startSystem, tokenWebhookSpec, uniqueId, waitFor, type Receiver, type TestSystem } from '@hookstream/test-kit';

export interface Tenant {
  id: string;
  apiKey: string;
  api: GatewayClient;
}

/**
 * The settings that make faults visible within a test's time: a dead group member is
 * noticed after 6 s (the broker's minimum session timeout, also the apps' default since
 * issue 21; kept explicit so these tests do not follow a change of default) and a consumer
 * that stopped committing while work waits is reported not ready after 3 s.
 */
export const FAST_FAILOVER_ENV: Record<string, string> = {
  MATCHER_SESSION_TIMEOUT_MS: '6000',
  CONSUMER_SESSION_TIMEOUT_MS: '6000',
  CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
  MATCHER_STALL_AFTER_MS: '3000',
  CONSUMER_STALL_AFTER_MS: '3000',
  MATCHER_RETRY_MAX_MS: '1000',
  SHUTDOWN_TIMEOUT_MS: '5000',
};

/**
 * For the outage tests: a consumer stalled this long while Kafka and PostgreSQL answer exits
 * (10 minutes by default). Far shorter than the outages, so an exit that ignored the outage
 * would end these tests with an exited process.
 */
export const SHORT_STUCK_EXIT_ENV: Record<string, string> = {
  MATCHER_STUCK_EXIT_AFTER_MS: '10000',
  CONSUMER_STUCK_EXIT_AFTER_MS: '10000',
};

export function startReliabilitySystem(opts: Parameters<typeof startSystem>[0] = {}): Promise<TestSystem> {
  return startSystem({
    ...opts,
    // A group of this system's own: matchers of other test systems on the shared broker must not join it.
    env: { MATCHER_GROUP_ID: uniqueId('rel-matcher-'), ...FAST_FAILOVER_ENV, ...opts.env },
  });
}

/** A fresh tenant, through `gatewayUrl` (the running gateway, when the first one was replaced). */
export async function newTenant(system: TestSystem, name = 'rel', gatewayUrl = system.gateway.baseUrl): Promise<Tenant> {
  const admin = new GatewayClient(gatewayUrl, system.env.HOOKSTREAM_ADMIN_TOKEN!);
  const t = await admin.createTenant(`${name}-${randomBytes(3).toString('hex')}`);
  return { id: t.id, apiKey: t.api_key, api: new GatewayClient(gatewayUrl, t.api_key) };
}

/** The tenant's client against whichever gateway process currently runs. */
export function clientOf(tenant: Tenant, baseUrl: string): GatewayClient {
  return new GatewayClient(baseUrl, tenant.apiKey);
}

/** A notification webhook with an inline token, pointed at a receiver path. */
export function notificationWebhook(receiver: Receiver, path: string, types: string[], extra: Record<string, unknown> = {}) {
  return tokenWebhookSpec(`${receiver.url}${path}`, { email: types }, extra);
}

/** A valid fixture event of the type for the tenant, with a fresh id (also the delivered `event_id`). */
export const event = freshEvent;

/**
 * Creates the webhooks and waits until a probe event reaches every one of them: the matcher
 * learns of new webhooks asynchronously (LISTEN/NOTIFY), and an event published before it
 * did is matched against the webhooks that existed then. Counting starts after this.
 */
export async function subscribe(
  tenant: Tenant,
  receiver: Receiver,
  paths: string[],
  type: string,
  extra: Record<string, unknown> = {},
  probeWaitMs = 5000,
): Promise<string[]> {
  const ids: string[] = [];
  for (const p of paths) ids.push((await tenant.api.createWebhook(notificationWebhook(receiver, p, [type], extra))).id);
  const deadline = Date.now() + 30_000 + probeWaitMs;
  for (;;) {
    const probe = event(type, tenant.id);
    await tenant.api.publish(probe);
    const arrived = await waitFor(() => paths.every((p) => receiver.at(p).some((r) => (r.body as { event_id?: string }).event_id === probe.id)), {
      timeoutMs: probeWaitMs,
      what: 'the probe event at every path',
    }).catch(() => false);
    if (arrived) return ids;
    if (Date.now() > deadline) throw new Error(`webhooks ${paths.join(', ')} never received a probe event`);
  }
}
