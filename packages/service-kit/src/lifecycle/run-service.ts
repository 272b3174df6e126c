import type { Server } from 'node:http';
import type { Admin, Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { loadConfig, type BaseConfig } from '../config/base-config.js';
import { ConfigError, env, type ConfigOf, type Reader } from '../config/env.js';
import { describeKafkaSecurity, kafkaSecurity } from '../config/kafka-security.js';
import { createDb } from '../db/knex.js';
import { Health, withTimeout } from '../http/health.js';
import { startOpsServer } from '../http/ops-routes.js';
import { connectAdmin, createKafka, ensureTopics } from '../kafka/client.js';
import { topicNames, topicSpecs, type TopicNames } from '../kafka/topics.js';
import { createLogger, safeUrl } from '../logging/logger.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { GroupMembers, type LeaveGroup } from './group-members.js';
import { setHeapGrowing } from './heap-growth.js';
import { startTracing, type Tracing } from '../tracing/tracing.js';
import { Shutdown, type StopHandler } from './shutdown.js';

export interface ServiceContext<C> {
  name: string;
  config: C;
  logger: Logger;
  kafka: Kafka;
  admin: Admin;
  db: Knex;
  metrics: Registry;
  health: Health;
  topics: TopicNames;
  /** OpenTelemetry tracing (`OTEL_*`); `tracing.enabled` is false when it is off, and then nothing is traced. */
  tracing: Tracing;
  /** Registers a step of the graceful shutdown; later registrations stop first. */
  onShutdown(name: string, fn: StopHandler): void;
  /**
   * Registers a consumer group member (`() => consumer.disconnect()`) to leave its group on the
   * ways out that skip the graceful shutdown: an uncaught exception, a shutdown past its deadline.
   * The graceful shutdown leaves through the app's own steps.
   */
  leaveGroupOnCrash(name: string, leave: LeaveGroup): void;
  /**
   * The process can no longer do its work and will not recover by itself (a Kafka consumer
   * that kafkajs will not restart): stops gracefully and exits 1, so its supervisor (Kubernetes,
   * compose, `npm start`) starts a fresh one instead of it idling while events pile up.
   */
  fatal(reason: string, err?: unknown): void;
}

export interface ServiceDefinition<S extends Record<string, Reader<unknown>>> {
  /** Short name: logs, metrics label, Kafka client id. */
  name: string;
  config: S;
  /**
   * Port variable and default of the operations port serving /healthz, /readyz and /metrics
   * (bound to OPS_HOST). Every app has one, apart from any public port of its own.
   */
  opsPort?: { variable: string; default: number };
  /**
   * Applies pending database migrations when DATABASE_MIGRATE=true. The schema belongs to
   * `@hookstream/store`, which builds on this package, so the app hands its migrator in.
   */
  migrate?: (db: Knex) => Promise<string[]>;
  /** Starts intake; resolves once the service is ready. */
  start(ctx: ServiceContext<BaseConfig & ConfigOf<S>>): Promise<void>;
}

export interface RunningService {
  stop(reason?: string): Promise<boolean>;
  opsPort?: number;
}

/**
 * The settings of the operations listener. OPS_HOST defaults to loopback: metrics and readiness
 * details stay on the machine unless the deployment opens them (the container image sets
 * 0.0.0.0, as kubelet probes and Prometheus reach the pod's address).
 */
export function opsListenerSpec(opsPort: { variable: string; default: number }): Record<string, Reader<unknown>> {
  return {
    [opsPort.variable]: env.port(opsPort.default),
    OPS_HOST: env.string({ default: '127.0.0.1', pattern: /^[A-Za-z0-9.:-]{1,253}$/, rule: 'an IP address or host name to bind the operations port to' }),
  };
}

/**
 * How long a crashing process tries to leave its consumer groups before it exits: a LeaveGroup is
 * one round trip to the coordinator, and this bounds a process whose client no longer answers.
 */
export const CRASH_LEAVE_TIMEOUT_MS = 2_000;

function fail(name: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n`);
  process.exit(1);
}

/**
 * The common life of every hookstream process: validated configuration, logger,
 * Kafka and PostgreSQL clients, topics, health and metrics, signal handling.
 */
export async function runService<S extends Record<string, Reader<unknown>>>(def: ServiceDefinition<S>): Promise<RunningService> {
  const extra = { ...def.config, ...(def.opsPort ? opsListenerSpec(def.opsPort) : {}) } as Record<string, Reader<unknown>>;
  // Renamed: a deployment still setting it would get probes on a port nobody listens on.
  if (process.env.HEALTH_PORT !== undefined && def.opsPort?.variable !== 'HEALTH_PORT') {
    fail(def.name, `configuration error: HEALTH_PORT was renamed ${def.opsPort?.variable ?? 'OPS_PORT'}; set that instead`);
  }
  let config: BaseConfig & ConfigOf<S>;
  try {
    config = loadConfig(extra) as BaseConfig & ConfigOf<S>;
  } catch (e) {
    if (e instanceof ConfigError) fail(def.name, `configuration error: ${e.message}`);
    throw e;
  }
  process.env.HOOKSTREAM_SERVICE = def.name;
  setHeapGrowing(config.V8_HEAP_GROWING_PERCENT);
  let tracing: Tracing;
  try {
    tracing = await startTracing(def.name, config);
  } catch (e) {
    fail(def.name, `could not start tracing (OTEL_TRACES_EXPORTER=${config.OTEL_TRACES_EXPORTER}): ${(e as Error).message}`);
  }
  const logger = createLogger(def.name, config.LOG_LEVEL, undefined, { traceIds: tracing.enabled });
  const members = new GroupMembers(logger);
  // A member that exits without leaving holds its partitions for a whole session timeout.
  const leaveThenExit = (code: number) => {
    void members.leaveAll(CRASH_LEAVE_TIMEOUT_MS).finally(() => process.exit(code));
  };
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    leaveThenExit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled promise rejection');
    leaveThenExit(1);
  });

  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  // Registered first, so it runs last: the spans of the work finished during the shutdown are exported too.
  if (tracing.enabled) shutdown.register('tracing', () => tracing.shutdown());
  const health = new Health();
  const metrics = createMetricsRegistry(def.name);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? `hookstream-${def.name}`,
    logger,
    security: kafkaSecurity(config),
  });
  const admin = kafka.admin();
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_MAX);
  const topics = topicNames(config.KAFKA_TOPIC_PREFIX);

  shutdown.register('database', () => db.destroy());
  shutdown.register('kafka-admin', () => admin.disconnect());

  health.add('kafka', async () => {
    await admin.describeCluster();
  });
  health.add('postgres', async () => {
    await db.raw('select 1');
  });
  // The operations port answers before the app has started (liveness); ready only once it has.
  let started = false;
  health.add('started', async () => {
    if (!started) throw new Error('starting');
  });

  let opsServer: Server | undefined;
  let opsPort: number | undefined;
  const stop = async (reason = 'stop requested') => {
    health.markStopping();
    return shutdown.run(reason);
  };
  // A clean stop has left the groups in its steps; past the deadline, leave before exiting.
  const stopThenExit = (reason: string, code?: number) => void stop(reason).then((clean) => (clean ? process.exit(code ?? 0) : leaveThenExit(1)));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => stopThenExit(signal));
  }

  try {
    if (def.opsPort) {
      const port = (config as Record<string, unknown>)[def.opsPort.variable] as number;
      const ops = await startOpsServer(port, (config as Record<string, unknown>).OPS_HOST as string, health, metrics);
      opsServer = ops.server;
      opsPort = ops.port;
      shutdown.register('ops-server', () => new Promise<void>((r) => opsServer!.close(() => r())));
    }
    logger.info(
      {
        kafka: config.KAFKA_BROKERS,
        kafka_security: describeKafkaSecurity(config),
        database: safeUrl(config.DATABASE_URL),
        prefix: config.KAFKA_TOPIC_PREFIX,
        tracing: tracing.enabled ? { exporter: config.OTEL_TRACES_EXPORTER, sampler: config.OTEL_TRACES_SAMPLER } : 'off',
      },
      'starting',
    );
    if (config.KAFKA_SSL && !config.KAFKA_SSL_REJECT_UNAUTHORIZED) logger.warn('KAFKA_SSL_REJECT_UNAUTHORIZED=false: the broker certificate is not verified');
    await withTimeout(connectAdmin(admin, config), 60_000, `Kafka at ${config.KAFKA_BROKERS.join(',')} did not answer within 60 s`);
    const grown = await ensureTopics(admin, topicSpecs(config));
    if (grown.length > 0) {
      // Deliberate (TOPIC_PARTITIONS_* raised), but it breaks per-key order for what is in flight.
      logger.warn(
        { grown },
        'topic partitions grown: each key may now map to another partition, so records of one key written before and after can be handled out of order until the old partitions drain (docs/operations.md, Scaling model)',
      );
    }
    await withTimeout(db.raw('select 1'), 30_000, `PostgreSQL at ${safeUrl(config.DATABASE_URL)} did not answer within 30 s`);
    if (process.env.DATABASE_MIGRATE === 'true') {
      if (!def.migrate) throw new Error(`DATABASE_MIGRATE=true, but ${def.name} carries no migrations`);
      const applied = await def.migrate(db);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    await def.start({
      name: def.name,
      config,
      logger,
      kafka,
      admin,
      db,
      metrics,
      health,
      topics,
      tracing,
      onShutdown: (name, fn) => shutdown.register(name, fn),
      leaveGroupOnCrash: (name, leave) => members.add(name, leave),
      fatal: (reason, err) => {
        logger.fatal({ err }, `${reason}; exiting so a fresh process takes over`);
        stopThenExit(reason, 1);
      },
    });
    started = true;
    logger.info({ ops_port: opsPort }, 'ready');
  } catch (e) {
    logger.fatal({ err: e }, 'could not start');
    await shutdown.run('start failed');
    // A consumer may have joined before the step that failed registered its shutdown.
    await members.leaveAll(CRASH_LEAVE_TIMEOUT_MS);
    process.exit(1);
  }
  return { stop, opsPort };
}
