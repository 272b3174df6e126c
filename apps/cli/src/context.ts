import {
  ConfigError,
  connectAdmin,
  createDb,
  createKafka,
  createLogger,
  kafkaSecurity,
  loadConfig,
  Publisher,
  topicNames,
  type BaseConfig,
  type Knex,
  type TopicNames,
} from '@hookstream/service-kit';
import type { Admin, Kafka, Producer } from 'kafkajs';

export interface CliContext {
  config: BaseConfig;
  kafka: Kafka;
  admin: Admin;
  db: Knex;
  topics: TopicNames;
  /** Connects the producer on first use: most commands only read. */
  publisher(): Promise<Publisher>;
  close(): Promise<void>;
}

/**
 * The same settings as the services (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, DATABASE_URL, ...).
 * A command that only uses PostgreSQL passes `kafka: false`, so it runs while Kafka is down.
 */
export async function openContext(options: { kafka?: boolean } = {}): Promise<CliContext> {
  const useKafka = options.kafka ?? true;
  let config: BaseConfig;
  try {
    config = loadConfig({});
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(`configuration error: ${e.message}`, { cause: e });
    throw e;
  }
  const logger = createLogger('cli', process.env.LOG_LEVEL ?? 'error');
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'hookstream-cli', logger, security: kafkaSecurity(config) });
  const admin = kafka.admin();
  if (useKafka) await connectAdmin(admin, config);
  const db = createDb(config.DATABASE_URL, 2);
  let producer: Producer | undefined;
  let publisher: Publisher | undefined;
  return {
    config,
    kafka,
    admin,
    db,
    topics: topicNames(config.KAFKA_TOPIC_PREFIX),
    async publisher() {
      if (!publisher) {
        producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        publisher = new Publisher(producer);
      }
      return publisher;
    },
    async close() {
      await producer?.disconnect();
      if (useKafka) await admin.disconnect();
      await db.destroy();
    },
  };
}
