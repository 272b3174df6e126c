import { randomBytes } from 'node:crypto';
import { kafkaSecurity, kafkaSecuritySpec, readConfig } from '@hookstream/service-kit';
import { GatewayClient } from './gateway-client.js';
import { createTestKafka, type TestKafka } from './kafka.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { startApp, type AppName, type AppProcess } from './processes.js';

export interface TestSystem {
  pg: TestDatabase;
  kafka: TestKafka;
  env: Record<string, string>;
  gateway: AppProcess;
  matchers: AppProcess[];
  workers: AppProcess[];
  /** Admin client (creates tenants). */
  admin: GatewayClient;
  /** Starts one more process of an app with the system's settings. */
  add(name: AppName, env?: Record<string, string>): Promise<AppProcess>;
  stop(): Promise<void>;
}

/**
 * The three apps as separate processes, as in production, wired to a fresh database
 * and a private set of topics on the real broker.
 */
export async function startSystem(
  opts: {
    matchers?: number;
    workers?: number;
    env?: Record<string, string>;
    partitions?: number;
    brokers?: string[];
    databaseUrl?: (url: string) => string;
  } = {},
): Promise<TestSystem> {
  const partitions = opts.partitions ?? 4;
  const [pg, kafka] = await Promise.all([
    createTestDatabase(),
    createTestKafka({
      partitions,
      ...(opts.brokers ? { brokers: opts.brokers } : {}),
      // The test's own client reaches the broker as the apps do (KAFKA_SSL*, KAFKA_SASL* in opts.env).
      security: kafkaSecurity(readConfig(kafkaSecuritySpec, opts.env ?? {})),
    }),
  ]);
  const env: Record<string, string> = {
    // The apps may reach PostgreSQL another way than the test (through a fault-injecting proxy).
    DATABASE_URL: opts.databaseUrl ? opts.databaseUrl(pg.url) : pg.url,
    ...(opts.brokers ? { KAFKA_BROKERS: opts.brokers.join(',') } : {}),
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    // The apps grow a topic to their configured count at start (default 6): without these the
    // system ran on 6 partitions, not the ones asked for, and the workers' group rebalanced
    // when the extra partitions appeared.
    TOPIC_PARTITIONS_EVENTS: String(partitions),
    TOPIC_PARTITIONS_DELIVERIES: String(partitions),
    TOPIC_PARTITIONS_RETRY: String(partitions),
    HOOKSTREAM_ADMIN_TOKEN: `hs_admin_${randomBytes(18).toString('base64url')}`,
    HOOKSTREAM_SECRET_KEY: randomBytes(32).toString('base64'),
    HOOKSTREAM_PORTAL_KEY: randomBytes(32).toString('base64'),
    HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: 'true',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...opts.env,
  };
  const procs: AppProcess[] = [];
  const add = async (name: AppName, extra: Record<string, string> = {}) => {
    const p = await startApp(name, { env: { ...env, ...extra } });
    procs.push(p);
    return p;
  };
  try {
    const [gateway, ...rest] = await Promise.all([
      add('gateway'),
      ...Array.from({ length: opts.matchers ?? 1 }, () => add('matcher')),
      ...Array.from({ length: opts.workers ?? 1 }, () => add('delivery-worker')),
    ]);
    const matchers = rest.filter((p) => p.name === 'matcher');
    const workers = rest.filter((p) => p.name === 'delivery-worker');
    return {
      pg,
      kafka,
      env,
      gateway: gateway!,
      matchers,
      workers,
      admin: new GatewayClient(gateway!.baseUrl, env.HOOKSTREAM_ADMIN_TOKEN!),
      add,
      async stop() {
        await Promise.all(procs.map((p) => p.stop('SIGTERM', 15_000)));
        await Promise.all([kafka.close(), pg.drop()]);
      },
    };
  } catch (e) {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await Promise.all([kafka.close(), pg.drop()]);
    throw e;
  }
}
