import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import { pruneExpired } from '@hookstream/store';
import { SecretBox, type BaseConfig, type ConfigOf, type ServiceContext } from '@hookstream/service-kit';
import { TenantAuthenticator } from './auth/tenant-auth.js';
import type { gatewayConfigSpec } from './config.js';
import { DeliveryHistory } from './deliveries/delivery-history.js';
import { createApp } from './http/app.js';
import { answerMalformedRequests } from './http/client-error.js';
import { createGatewayMetrics } from './http/metrics.js';
import { RateLimiter } from './http/rate-limit.js';
import { ClusterRateShare } from './http/rate-share.js';
import { DedupStore } from './ingest/dedup-store.js';
import { EventProducer } from './ingest/event-producer.js';
import { IngestService } from './ingest/ingest-service.js';
import { LifecyclePublisher } from './webhooks/lifecycle-publisher.js';
import { WebhookService } from './webhooks/webhook-service.js';

export type GatewayConfig = BaseConfig & ConfigOf<typeof gatewayConfigSpec>;

/** Wires the gateway's parts and starts listening; shutdown stops intake first, then the producer. */
export async function startGateway(ctx: ServiceContext<GatewayConfig>): Promise<void> {
  const { config, db, kafka, logger, topics, health, onShutdown } = ctx;
  const box = new SecretBox(config.HOOKSTREAM_SECRET_KEY);
  const metrics = createGatewayMetrics(ctx.metrics);

  const producer = new EventProducer(kafka, config.PRODUCE_TIMEOUT_MS);
  await producer.connect();
  onShutdown('producer', () => producer.disconnect());
  health.add('producer', async () => {
    if (!producer.isConnected) throw new Error('Kafka producer is not connected');
  });

  const dedup = new DedupStore(db, config.EVENT_DEDUP_WINDOW_S);
  let split: ClusterRateShare | undefined;
  if (config.TENANT_RATE_LIMIT_SCOPE === 'cluster') {
    const rateSplit = new ClusterRateShare(db, `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`, logger, config.TENANT_RATE_SYNC_MS * 3);
    const timer = setInterval(() => void rateSplit.sync(), config.TENANT_RATE_SYNC_MS);
    timer.unref();
    onShutdown('rate-limit-split', async () => {
      clearInterval(timer);
      // Best effort: reports of a gateway that cannot say goodbye go stale within three intervals.
      await rateSplit.leave().catch(() => undefined);
    });
    split = rateSplit;
  }
  const rateBurst = config.TENANT_RATE_LIMIT_BURST || Math.max(1, Math.ceil(config.TENANT_RATE_LIMIT_PER_S * 2));
  const rateLimiter = new RateLimiter(config.TENANT_RATE_LIMIT_PER_S, rateBurst, undefined, split);
  const publicUrl = config.HOOKSTREAM_PUBLIC_URL.replace(/\/+$/, '');
  const lifecycle = new LifecyclePublisher(producer, topics.events, publicUrl, metrics);

  const app = createApp(
    {
      db,
      box,
      logger,
      metrics,
      auth: new TenantAuthenticator(db, config.API_KEY_CACHE_TTL_MS),
      rateLimiter,
      ingest: new IngestService(dedup, producer, topics.events, metrics, logger),
      dedup,
      webhooks: new WebhookService(db, box, lifecycle, { allowPrivate: config.HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS }, publicUrl),
      deliveries: new DeliveryHistory(db, producer, topics.deliveries),
      settings: {
        adminToken: config.HOOKSTREAM_ADMIN_TOKEN,
        publicUrl,
        eventMaxBytes: config.EVENT_MAX_BYTES,
        batchMaxEvents: config.BATCH_MAX_EVENTS,
        batchMaxBytes: config.BATCH_MAX_BYTES,
        apiBodyMaxBytes: config.API_BODY_MAX_BYTES,
        dedupWindowS: config.EVENT_DEDUP_WINDOW_S,
      },
    },
    { health, registry: ctx.metrics },
  );

  const housekeeping = setInterval(() => {
    rateLimiter.sweep();
    dedup
      .prune()
      .then((n) => n && logger.info({ pruned: n }, 'expired dedup entries pruned'))
      .catch((e: Error) => logger.warn({ err: e.message }, 'pruning dedup entries failed; will retry'));
  }, config.EVENT_DEDUP_PRUNE_INTERVAL_S * 1000);
  housekeeping.unref();
  onShutdown('housekeeping', () => clearInterval(housekeeping));

  // Audit retention runs here rather than in a separate cron: batched deletes under an
  // advisory lock, so any number of gateways can schedule it and one does the work.
  if (config.RETENTION_DAYS > 0) {
    const retention = setInterval(() => {
      pruneExpired(db, { olderThan: new Date(Date.now() - config.RETENTION_DAYS * 86_400_000), pauseMs: 20, maxMs: 60_000 })
        .then((results) => {
          const deleted = results.reduce((n, r) => n + r.deleted, 0);
          if (deleted) logger.info({ results }, 'expired audit rows pruned');
        })
        .catch((e: Error) => logger.warn({ err: e.message }, 'audit retention failed; will retry'));
    }, config.RETENTION_INTERVAL_S * 1000);
    retention.unref();
    onShutdown('retention', () => clearInterval(retention));
  }

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  answerMalformedRequests(server);
  const port = (server.address() as AddressInfo).port;
  if (!config.HOOKSTREAM_ADMIN_TOKEN) logger.warn('HOOKSTREAM_ADMIN_TOKEN is not set: POST /v1/tenants answers 503');
  logger.info({ port }, `gateway listening on http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`);
  // Registered last so it runs first: stop taking requests, finish those in flight, then the producer stops.
  onShutdown(
    'http',
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections();
      }),
  );
}
