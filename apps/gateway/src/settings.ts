import type { GatewayDeps } from './http/context.js';
import type { GatewayConfig } from './gateway.js';

/** What the routes read of the configuration; the public URL without trailing slashes, as links are built on it. */
export function routeSettings(config: GatewayConfig): GatewayDeps['settings'] {
  return {
    adminToken: config.HOOKSTREAM_ADMIN_TOKEN,
    publicUrl: config.HOOKSTREAM_PUBLIC_URL.replace(/\/+$/, ''),
    eventMaxBytes: config.EVENT_MAX_BYTES,
    batchMaxEvents: config.BATCH_MAX_EVENTS,
    batchMaxBytes: config.BATCH_MAX_BYTES,
    apiBodyMaxBytes: config.API_BODY_MAX_BYTES,
    dedupWindowS: config.EVENT_DEDUP_WINDOW_S,
    defaultWebhookLimit: config.TENANT_WEBHOOK_LIMIT,
  };
}

/** The bucket size: TENANT_RATE_LIMIT_BURST, or twice the rate when it is 0. */
export function rateBurstOf(config: GatewayConfig): number {
  return config.TENANT_RATE_LIMIT_BURST || Math.max(1, Math.ceil(config.TENANT_RATE_LIMIT_PER_S * 2));
}
