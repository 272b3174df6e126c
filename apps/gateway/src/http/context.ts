import type { Knex, Logger, SecretBox } from '@hookstream/service-kit';
import type { Request } from 'express';
import type { AuthFailureThrottle } from '../auth/auth-throttle.js';
import type { TenantAuthenticator } from '../auth/tenant-auth.js';
import type { DeliveryHistory } from '../deliveries/delivery-history.js';
import type { DedupStore } from '../ingest/dedup-store.js';
import type { IngestService } from '../ingest/ingest-service.js';
import type { KeyService } from '../tenants/key-service.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { GatewayMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';

/** Everything the routes need, built once at start. */
export interface GatewayDeps {
  db: Knex;
  box: SecretBox;
  logger: Logger;
  metrics: GatewayMetrics;
  auth: TenantAuthenticator;
  /** Failed authentications per client address (tenant keys and the admin token). */
  authThrottle: AuthFailureThrottle;
  rateLimiter: RateLimiter;
  ingest: IngestService;
  dedup: DedupStore;
  webhooks: WebhookService;
  keys: KeyService;
  deliveries: DeliveryHistory;
  settings: {
    adminToken: string | undefined;
    publicUrl: string;
    eventMaxBytes: number;
    batchMaxEvents: number;
    batchMaxBytes: number;
    apiBodyMaxBytes: number;
    dedupWindowS: number;
    /** TENANT_WEBHOOK_LIMIT: the limit of a tenant without its own. */
    defaultWebhookLimit: number;
  };
}

/** A route path parameter as one string (Express 5 gives wildcard parameters as arrays). */
export function param(req: Request, name: string): string {
  const v = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}
