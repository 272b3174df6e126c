import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaSecurity, type KafkaSecurity, type KafkaSecurityConfig } from '../config/kafka-security.js';
import { KafkaLogLevels } from './log-levels.js';
import { fixKafkaRequestQueue } from './request-queue-fix.js';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** TLS and SASL options built by `kafkaSecurity(config)`; absent: plaintext, no authentication. */
  security?: KafkaSecurity;
}

/**
 * kafkajs client whose own log lines go through the service's pino logger (the broker's
 * expected start-up answers at debug: see KafkaLogLevels).
 */
export function createKafka({ brokers, clientId, logger, security = {} }: KafkaSettings): Kafka {
  // kafkajs prints a deprecation notice about its default partitioner on every producer.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  fixKafkaRequestQueue();
  const kafkaLog = logger.child({ component: 'kafkajs' });
  const levels = new KafkaLogLevels();
  return new Kafka({
    clientId,
    brokers,
    ...(security.ssl ? { ssl: security.ssl } : {}),
    // kafkajs types SASL per mechanism; ours is one of its three user/password mechanisms.
    ...(security.sasl ? { sasl: security.sasl as SASLOptions } : {}),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    // Keep reconnecting for as long as the process lives: a broker restart must not
    // leave a worker idle until someone restarts it by hand.
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: Number.MAX_SAFE_INTEGER },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log, namespace }: LogEntry) => {
        const { message, ...rest } = log;
        kafkaLog[levels.levelOf({ level, message, error: rest.error })]({ namespace, ...rest }, message);
      },
  });
}

/** Node's codes for a peer certificate this side does not accept. */
const UNTRUSTED_CERTIFICATE = /CERT|SELF_SIGNED|ISSUER|SIGNATURE|ALTNAME|UNABLE_TO_VERIFY/;

/**
 * One TLS handshake with the first broker before kafkajs connects: kafkajs takes a certificate
 * it cannot verify for a network error and retries it for as long as the start allows (a
 * minute of silence), yet no retry can fix it. A broker that does not answer is left to
 * kafkajs' retries as before.
 */
async function checkBrokerCertificate(broker: string, ssl: ConnectionOptions): Promise<void> {
  const i = broker.lastIndexOf(':');
  const host = broker.slice(0, i);
  const port = Number(broker.slice(i + 1));
  const refusal = await new Promise<Error | undefined>((resolve) => {
    const socket = tls.connect({ ...ssl, host, port, ...(net.isIP(host) ? {} : { servername: host }) });
    const done = (e?: Error) => {
      socket.destroy();
      resolve(e);
    };
    socket.setTimeout(5000, () => done());
    socket.once('secureConnect', () => done());
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      if (UNTRUSTED_CERTIFICATE.test(code) && !code.includes('ALERT')) {
        done(new Error(`the TLS certificate of the Kafka broker ${broker} was refused (${code}: ${e.message}): check KAFKA_SSL_CA_FILE / KAFKA_SSL_CA`));
      } else if (/^ERR_SSL_.*ALERT/.test(code)) {
        done(
          new Error(
            `the Kafka broker ${broker} refused the TLS handshake (${code}): check KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE (mutual TLS) and KAFKA_SSL`,
          ),
        );
      } else done();
    });
  });
  if (refusal) throw refusal;
}

/**
 * Connects the admin client with start-up errors an operator can act on: an untrusted broker
 * certificate and refused credentials (kafkajs: "SASL SCRAM SHA512 authentication failed: ...")
 * name the settings to look at, never their values.
 */
export async function connectAdmin(admin: Admin, config: KafkaSecurityConfig & { KAFKA_BROKERS: string[] }): Promise<void> {
  const { ssl } = kafkaSecurity(config);
  if (ssl && config.KAFKA_BROKERS[0]) await checkBrokerCertificate(config.KAFKA_BROKERS[0], ssl);
  try {
    await admin.connect();
  } catch (e) {
    if ((e as Error).name === 'KafkaJSSASLAuthenticationError') {
      throw new Error(
        `Kafka refused the credentials of KAFKA_SASL_USERNAME=${config.KAFKA_SASL_USERNAME ?? ''} with KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM ?? ''}: ` +
          'check KAFKA_SASL_PASSWORD / KAFKA_SASL_PASSWORD_FILE and the mechanism',
        { cause: e },
      );
    }
    throw e;
  }
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor?: number;
  configEntries?: ITopicConfig['configEntries'];
}

/**
 * Creates missing topics with their configured partition counts. Existing topics
 * with fewer partitions are grown (Kafka cannot shrink them); more is left alone.
 *
 * Retried as a whole a few times: right after a topic is created a busy broker can still
 * answer "does not host this topic-partition" to the metadata request that waits for its
 * leaders (kafkajs waits out only "leader not available"), and two services starting
 * together race to create the same topics. Each round lists the topics again, so a topic
 * created by an earlier round (or by the other service) is simply found.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], attempts = 6): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopicsOnce(admin, specs);
      return;
    } catch (e) {
      if (attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 3000)));
    }
  }
}

async function ensureTopicsOnce(admin: Admin, specs: TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.numPartitions,
        replicationFactor: s.replicationFactor ?? 1,
        configEntries: s.configEntries,
      })),
    });
  }
  const present = specs.filter((s) => existing.has(s.topic));
  if (present.length === 0) return;
  const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
  const grow = present.flatMap((s) => {
    const have = meta.topics.find((t) => t.name === s.topic)?.partitions.length ?? 0;
    return have < s.numPartitions ? [{ topic: s.topic, count: s.numPartitions }] : [];
  });
  if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow });
}
