import { readFileSync } from 'node:fs';
import { SecretBox, type ServiceContext } from '@hookstream/service-kit';
import { AccessTokens } from '../auth/client-secret-jwt.js';
import { SecretResolver } from '../auth/secrets.js';
import { ControlPlaneClient } from '../http/control-plane-client.js';
import { DeliveryClient } from '../http/delivery-client.js';
import { WebhookCaller } from '../http/webhook-call.js';
import type { WorkerMetrics } from '../metrics.js';
import type { WorkerConfig } from '../worker.js';

function productVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** The HTTP clients (delivery path, control plane) and the authentication (tenant secrets, access tokens) every call to an endpoint goes through. */
export function buildWebhookCaller({ config, db, logger, onShutdown }: ServiceContext<WorkerConfig>, metrics: WorkerMetrics): WebhookCaller {
  const userAgent = `hookstream/${productVersion()} (webhook delivery; +${config.HOOKSTREAM_PUBLIC_URL})`;
  const delivery = new DeliveryClient({
    allowPrivate: config.HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS,
    userAgent,
    connectTimeoutMs: config.DELIVERY_CONNECT_TIMEOUT_MS,
  });
  onShutdown('http-client', () => delivery.close());
  const controlPlane = new ControlPlaneClient(config.HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS, userAgent);
  onShutdown('control-plane-http-client', () => controlPlane.close());
  if (config.HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS) logger.warn('HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true: endpoints on private and loopback addresses are called');

  const secrets = new SecretResolver(new SecretBox(config.HOOKSTREAM_SECRET_KEYS), db, config.TENANT_SECRET_CACHE_MS);
  const tokenTimeouts = { connectMs: Math.min(config.DELIVERY_CONNECT_TIMEOUT_MS, 10_000), readMs: config.DELIVERY_READ_TIMEOUT_MS, totalMs: 10_000 };
  const tokens = new AccessTokens(controlPlane, secrets, logger, metrics, tokenTimeouts);
  return new WebhookCaller(delivery, secrets, tokens, {
    connectTimeoutMs: config.DELIVERY_CONNECT_TIMEOUT_MS,
    readTimeoutMs: config.DELIVERY_READ_TIMEOUT_MS,
  });
}
