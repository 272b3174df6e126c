import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ApiKeyChangeFeed, findKeyOwner, findTenant, pruneExpired, pruneSessionTokens, recordKeysUsed } from '@hookstream/store';
import { consumerLag, SecretBox, type BaseConfig, type ConfigOf, type ServiceContext } from '@hookstream/service-kit';
import { AuthFailureThrottle } from './auth/auth-throttle.js';
import { LastUsedRecorder } from './auth/last-used.js';
import { TenantAuthenticator } from './auth/tenant-auth.js';
import type { gatewayConfigSpec } from './config.js';
import { DeliveryHistory } from './deliveries/delivery-history.js';
import { DeliveryStats } from './deliveries/delivery-stats.js';
import { SkippedRecovery } from './deliveries/skipped-recovery.js';
import { createRequestListener } from './http/app.js';
import { listen } from './http/listen.js';
import { createGatewayMetrics } from './http/metrics.js';
import { RateLimiter } from './http/rate-limit.js';
import { ClusterRateShare } from './http/rate-share.js';
import { DedupStore } from './ingest/dedup-store.js';
import { EventProducer } from './ingest/event-producer.js';
import { IngestService } from './ingest/ingest-service.js';
import { DeadLetterConsole } from './operations/dead-letter-console.js';
import { OperationsConsole } from './operations/operations-console.js';
import { OtelIngestTracer } from './ingest/ingest-tracing.js';
import { startHousekeeping } from './schedules/housekeeping.js';
import { startRateDemandSync } from './schedules/rate-demand-sync.js';
import { startRetentionSchedule } from './schedules/retention-schedule.js';
import { SessionService } from './sessions/session-service.js';
import { sessionStoreOf } from './sessions/session-store.js';
import { SessionTokens } from './sessions/session-tokens.js';
import { rateBurstOf, routeSettings } from './settings.js';
import { KeyService } from './tenants/key-service.js';
import { LifecyclePublisher } from './webhooks/lifecycle-publisher.js';
import { TestEventSender } from './webhooks/test-events.js';
import { WebhookService } from './webhooks/webhook-service.js';
import { webhookStoreOf } from './webhooks/webhook-store.js';

export type GatewayConfig = BaseConfig & ConfigOf<typeof gatewayConfigSpec>;

/** Wires the gateway's parts and starts listening; shutdown stops intake first, then the producer. */
export async function startGateway(ctx: ServiceContext<GatewayConfig>): Promise<void> {
  const { config, db, kafka, logger, topics, health, onShutdown } = ctx;
  const box = new SecretBox(config.HOOKSTREAM_SECRET_KEYS);
  const metrics = createGatewayMetrics(ctx.metrics);

  const producer = new EventProducer(kafka, config.PRODUCE_TIMEOUT_MS);
  await producer.connect();
  onShutdown('producer', () => producer.disconnect());
  health.add('producer', async () => {
    if (!producer.isConnected) throw new Error('Kafka producer is not connected');
  });

  const dedup = new DedupStore(db, config.EVENT_DEDUP_WINDOW_S);
  // After the HTTP server closed: the confirmations of the last answered requests are written.
  onShutdown('dedup-confirmations', () => dedup.settled());
  let split: ClusterRateShare | undefined;
  if (config.TENANT_RATE_LIMIT_SCOPE === 'cluster') {
    const instanceId = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
    split = new ClusterRateShare(db, instanceId, logger, config.TENANT_RATE_SYNC_MS * 3);
    const sync = startRateDemandSync({ split, logger }, config.TENANT_RATE_SYNC_MS);
    onShutdown('rate-limit-split', () => sync.stop());
  }
  const rateLimiter = new RateLimiter(config.TENANT_RATE_LIMIT_PER_S, rateBurstOf(config), undefined, split);
  const settings = routeSettings(config);
  const { auth, authThrottle } = await startAuthentication(ctx);
  const lifecycle = new LifecyclePublisher(producer, topics.events, settings.publicUrl, metrics);
  const portalKey = config.HOOKSTREAM_PORTAL_KEY;
  const sessions = portalKey ? new SessionService(new SessionTokens(portalKey), sessionStoreOf(db), settings.publicUrl) : undefined;
  const webhooks = new WebhookService(
    webhookStoreOf(db),
    box,
    lifecycle,
    { allowPrivate: config.HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS },
    settings.publicUrl,
    settings.defaultWebhookLimit,
    new SkippedRecovery(db, producer, topics.deliveries),
  );

  const app = createRequestListener(
    {
      db,
      box,
      logger,
      metrics,
      auth,
      authThrottle,
      trustedProxies: config.TRUSTED_PROXIES,
      rateLimiter,
      ingest: new IngestService(
        dedup,
        producer,
        topics.events,
        metrics,
        logger,
        ctx.tracing.enabled ? new OtelIngestTracer(ctx.tracing, topics.events) : undefined,
      ),
      dedup,
      webhooks,
      deliveries: new DeliveryHistory(db, producer, topics.deliveries),
      stats: new DeliveryStats(db),
      deadLetters: new DeadLetterConsole(db, producer, topics.deliveries),
      operations: new OperationsConsole({
        db,
        // The admin client the service context already connected (its health check uses it too).
        consumerLag: () => consumerLag(ctx.admin, config.KAFKA_TOPIC_PREFIX),
        reenable: (tenantId, webhookId) => webhooks.reenable(tenantId, webhookId),
      }),
      testEvents: new TestEventSender(db, producer, topics.events, settings.publicUrl),
      keys: new KeyService(db),
      sessions,
      tracing: ctx.tracing,
      settings,
    },
    { health, registry: ctx.metrics },
  );

  const housekeeping = startHousekeeping(
    { rateLimiter, dedup, sessionTokens: { prune: () => pruneSessionTokens(db) }, logger },
    config.EVENT_DEDUP_PRUNE_INTERVAL_S * 1000,
  );
  onShutdown('housekeeping', () => housekeeping.stop());
  const retention = startRetentionSchedule(
    { pruneExpired: (olderThan) => pruneExpired(db, { olderThan, pauseMs: 20, maxMs: 60_000 }), logger },
    config.RETENTION_DAYS,
    config.RETENTION_INTERVAL_S * 1000,
  );
  onShutdown('retention', () => retention.stop());

  const http = await listen(app, config.PORT, config.HOST, {
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    onDrop: () => metrics.connectionsDropped.inc(),
  });
  if (!portalKey) logger.warn('HOOKSTREAM_PORTAL_KEY is not set: the partner portal and the operator console are off (their session routes answer 503)');
  if (!config.HOOKSTREAM_ADMIN_TOKEN) logger.warn('HOOKSTREAM_ADMIN_TOKEN is not set: the admin routes (/v1/tenants...) answer 503');
  logger.info({ port: http.port }, `gateway listening on http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${http.port}`);
  // Registered last so it runs first: stop taking requests, finish those in flight, then the producer stops.
  onShutdown('http', () => http.close());
}

/** Every address tracked by the failed-authentication throttle at most (a few MB at the limit). */
const THROTTLE_MAX_ADDRESSES = 50_000;
const LAST_USED_FLUSH_MS = 1000;

/**
 * The API key cache, kept honest by the API key change feed (a revoked key or a disabled tenant
 * is dropped within milliseconds on every gateway), the batched last-use writer and the
 * failed-authentication throttle.
 */
async function startAuthentication(ctx: ServiceContext<GatewayConfig>): Promise<{ auth: TenantAuthenticator; authThrottle: AuthFailureThrottle }> {
  const { config, db, logger, onShutdown } = ctx;
  const lastUsed = new LastUsedRecorder((uses) => recordKeysUsed(db, uses));
  const auth = new TenantAuthenticator({
    lookup: (hash) => findKeyOwner(db, hash),
    lookupTenant: async (id) => {
      const row = await findTenant(db, id);
      return row && !row.disabled_at ? { id: row.id, name: row.name } : undefined;
    },
    ttlMs: config.API_KEY_CACHE_TTL_MS,
    onUse: (keyId) => lastUsed.use(keyId),
  });
  const flush = () =>
    lastUsed.flush().catch((e: unknown) => logger.warn({ err: e }, 'could not record the last use of API keys; retrying with the next batch'));
  const timer = setInterval(() => void flush(), LAST_USED_FLUSH_MS);
  timer.unref();
  onShutdown('api-key-last-use', async () => {
    clearInterval(timer);
    await flush();
  });
  const feed = new ApiKeyChangeFeed(config.DATABASE_URL, logger);
  feed.on('change', (c) => (c.key_id ? auth.forgetKey(c.key_id) : auth.forgetTenant(c.tenant_id)));
  feed.on('resync', () => auth.forgetAll());
  await feed.start();
  onShutdown('api-key-feed', () => feed.stop());
  const authThrottle = new AuthFailureThrottle({
    limit: config.AUTH_FAILURE_LIMIT,
    windowMs: config.AUTH_FAILURE_WINDOW_S * 1000,
    maxAddresses: THROTTLE_MAX_ADDRESSES,
  });
  return { auth, authThrottle };
}
