import type { Knex, Logger, SecretBox, Tracing } from '@hookstream/service-kit';
import type { Request } from 'express';
import type { AuthFailureThrottle } from '../auth/auth-throttle.js';
import type { TenantAuthenticator } from '../auth/tenant-auth.js';
import type { DeliveryHistory } from '../deliveries/delivery-history.js';
import type { DeliveryStats } from '../deliveries/delivery-stats.js';
import type { DedupStore } from '../ingest/dedup-store.js';
import type { IngestService } from '../ingest/ingest-service.js';
import type { SessionService } from '../sessions/session-service.js';
import type { DeadLetterConsole } from '../operations/dead-letter-console.js';
import type { OperationsConsole } from '../operations/operations-console.js';
import type { KeyService } from '../tenants/key-service.js';
import type { TestEventSender } from '../webhooks/test-events.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { GatewayMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import type { TrustedProxies } from './client-address.js';

/** Everything the routes need, built once at start. */
export interface GatewayDeps {
  db: Knex;
  box: SecretBox;
  logger: Logger;
  metrics: GatewayMetrics;
  auth: TenantAuthenticator;
  /** Failed authentications per client address (tenant keys and the admin token). */
  authThrottle: AuthFailureThrottle;
  /** TRUSTED_PROXIES: whose X-Forwarded-For names the client address (none: the socket's peer is the client). */
  trustedProxies?: TrustedProxies | undefined;
  rateLimiter: RateLimiter;
  ingest: IngestService;
  dedup: DedupStore;
  webhooks: WebhookService;
  keys: KeyService;
  deliveries: DeliveryHistory;
  /** Portal and console sessions; undefined when HOOKSTREAM_PORTAL_KEY is not set (the session routes answer 503). */
  sessions?: SessionService | undefined;
  /** A webhook's hourly success rate and latency. */
  stats: DeliveryStats;
  /** The operator console: dead letters and their replay. */
  deadLetters: DeadLetterConsole;
  /** The operator console: webhooks to look at, consumer lag, delivery rate. */
  operations: OperationsConsole;
  /** Test events for one webhook. */
  testEvents: TestEventSender;
  /** A server span per API request when tracing is on (absent or off: none). */
  tracing?: Tracing;
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
