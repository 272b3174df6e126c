import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaSecurity, type KafkaSecurity, type KafkaSecurityConfig } from '../config/kafka-security.js';
import { KeyHashPartitioner } from './key-partitioner.js';
import { KafkaLogLevels } from './log-levels.js';
import { fixKafkaRequestQueue } from './request-queue-fix.js';
import { keepAdminClusters } from './admin-cluster.js';
import { leanKafkaProduceEncoding } from './lean-produce-encoding.js';
import { creationReplication, replicationFor } from './replication.js';
import { PartitionTracker, trackPartitions } from './partition-coverage.js';

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
  // Produce requests written byte for byte as kafkajs writes them, without its per-record garbage.
  leanKafkaProduceEncoding(kafkaLog);
  const levels = new KafkaLogLevels();
  const kafka = new Kafka({
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
  // The lag watch reads the ends of all its topics in one request through the admin's cluster.
  keepAdminClusters(kafka);
  // Every producer reports where its partitioner put each message, so that the Publisher can send
  // again what kafkajs acknowledged without sending (kafka/partition-coverage.ts).
  const producer = kafka.producer.bind(kafka);
  kafka.producer = (config = {}) => {
    const tracker = new PartitionTracker();
    const p = producer({
      // An idempotent producer retries for ever (kafkajs' own default for it); its pause between
      // tries stays under a second so that a send to a dead leader goes through within a second of
      // the controller electing a new one, where the client-wide 5 s cap added up to 5 s per broker loss.
      ...(config.idempotent ? { retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: PRODUCER_MAX_RETRY_MS } } : {}),
      ...config,
      createPartitioner: tracker.wrap(config.createPartitioner ?? KeyHashPartitioner),
    });
    trackPartitions(p, tracker);
    return p;
  };
  return kafka;
}

/** Longest pause between two tries of an idempotent producer's send (see createKafka). */
export const PRODUCER_MAX_RETRY_MS = 1000;

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
  /** Absent: the brokers' default factor (`creationReplication`), checked against `replicationFor` the cluster. */
  replicationFactor?: number;
  configEntries?: ITopicConfig['configEntries'];
}

/** The admin calls that create, grow and check topics. */
export type TopicAdmin = Pick<Admin, 'listTopics' | 'describeCluster' | 'createTopics' | 'fetchTopicMetadata' | 'createPartitions'>;

export interface EnsureTopicsOptions {
  /** Rounds for other errors (a busy broker's answers right after a creation, a race with another service). */
  attempts?: number;
  /**
   * How long a creation the cluster refuses for its replication factor is tried again: fewer
   * brokers are registered than the factor asks while a node is still starting, or after a
   * crash until it is back. Then the start fails, naming the topic.
   */
  brokerWaitMs?: number;
  /** Pause between rounds (a no-op in unit tests). */
  pause?: (ms: number) => Promise<void>;
}

/** A topic the cluster holds with fewer copies than wanted: retrying will not change the answer. */
class ReplicationMismatch extends Error {}

/** The cluster refused a creation for its replication factor: fewer brokers registered than it asks. */
class TooFewBrokers extends Error {
  constructor(
    readonly topics: string[],
    /** What the factor was: the brokers' default or TOPIC_REPLICATION_FACTOR. */
    readonly asked: string,
    readonly visibleBrokers: number,
    cause: unknown,
  ) {
    super(`the cluster refused to create ${topics.join(', ')} with ${asked}`, { cause });
  }
}

/**
 * Creates missing topics with their configured partition counts, then checks that every topic
 * has the replication the cluster should give it. Existing topics with fewer partitions are
 * grown (Kafka cannot shrink them); more is left alone. Answers the topics it grew, for the
 * caller to warn about: growing moves keys to other partitions, and with them their order.
 *
 * A topic is created with the brokers' `default.replication.factor` unless TOPIC_REPLICATION_FACTOR
 * is set (see creationReplication): the controller then refuses it while fewer brokers are
 * registered than that, and the creation is tried again for up to `brokerWaitMs`, so a topic is
 * never created with fewer copies because a node was not up yet. The check afterwards catches the
 * rest (a broker default below min(3, brokers), a topic created earlier with fewer copies) and
 * stops the start with an error naming the topic, the copies wanted and those it has.
 *
 * Retried as a whole a few times: right after a topic is created a busy broker can still
 * answer "does not host this topic-partition" to the metadata request that waits for its
 * leaders (kafkajs waits out only "leader not available"), and two services starting
 * together race to create the same topics. Each round lists the topics again, so a topic
 * created by an earlier round (or by the other service) is simply found.
 */
export async function ensureTopics(admin: TopicAdmin, specs: TopicSpec[], options: EnsureTopicsOptions = {}): Promise<GrownTopic[]> {
  const { attempts = 6, brokerWaitMs = 60_000, pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) } = options;
  const started = Date.now();
  const grown: GrownTopic[] = [];
  for (let attempt = 1; ;) {
    try {
      await ensureTopicsOnce(admin, specs, grown);
      return grown;
    } catch (e) {
      if (e instanceof ReplicationMismatch) throw e;
      if (e instanceof TooFewBrokers) {
        // Not counted as an attempt: a node starting or coming back takes seconds, bounded by the wait.
        const waited = Date.now() - started;
        if (waited >= brokerWaitMs) {
          const n = e.visibleBrokers;
          throw new Error(
            `cannot create topic ${e.topics.join(', ')}: the cluster refused its replication factor (${e.asked}) for ${Math.round(waited / 1000)} s, ` +
              `fewer brokers being registered than it asks (${n} broker${n === 1 ? '' : 's'} visible): start the missing brokers, or lower the factor`,
            { cause: e },
          );
        }
        await pause(1000);
        continue;
      }
      if (attempt++ >= attempts) throw e;
      await pause(Math.min(200 * 2 ** (attempt - 1), 3000));
    }
  }
}

/** Whether kafkajs' createTopics failed because the cluster cannot place the factor asked for (one error per topic). */
function refusedForReplication(e: unknown): boolean {
  // Looked at by shape: kafkajs is CommonJS, and its error classes are no named exports under ESM.
  const inner = (e as { errors?: unknown } | null)?.errors;
  const errors = Array.isArray(inner) ? inner : [e];
  return errors.some((x) => typeof x === 'object' && x !== null && (x as { type?: string }).type === 'INVALID_REPLICATION_FACTOR');
}

const copies = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;

/**
 * A topic this start gave more partitions: its keys now map to other partitions, so records of one
 * key written before and after may be consumed out of order until the old partition drains.
 */
export interface GrownTopic {
  topic: string;
  from: number;
  to: number;
}

async function ensureTopicsOnce(admin: TopicAdmin, specs: TopicSpec[], grown: GrownTopic[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length > 0) {
    const topics = missing.map((s) => {
      const replication = creationReplication(s.replicationFactor);
      const entries = s.configEntries ?? [];
      const minIsr =
        replication.minInsyncReplicas !== undefined && !entries.some((e) => e.name === 'min.insync.replicas')
          ? [{ name: 'min.insync.replicas', value: String(replication.minInsyncReplicas) }]
          : [];
      return { topic: s.topic, numPartitions: s.numPartitions, replicationFactor: replication.replicationFactor, configEntries: [...entries, ...minIsr] };
    });
    try {
      await admin.createTopics({ waitForLeaders: true, topics });
    } catch (e) {
      if (!refusedForReplication(e)) throw e;
      const configured = missing.find((s) => s.replicationFactor !== undefined)?.replicationFactor;
      const asked = configured === undefined ? "the brokers' default.replication.factor" : `TOPIC_REPLICATION_FACTOR=${configured}`;
      throw new TooFewBrokers(
        missing.map((s) => s.topic),
        asked,
        (await admin.describeCluster()).brokers.length,
        e,
      );
    }
  }
  const present = specs.filter((s) => existing.has(s.topic));
  if (present.length > 0) {
    const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
    const grow = present.flatMap((s) => {
      const have = meta.topics.find((t) => t.name === s.topic)?.partitions.length ?? 0;
      return have < s.numPartitions ? [{ topic: s.topic, from: have, to: s.numPartitions }] : [];
    });
    if (grow.length > 0) {
      await admin.createPartitions({ topicPartitions: grow.map((g) => ({ topic: g.topic, count: g.to })) });
      grown.push(...grow);
    }
  }
  await checkReplication(admin, specs);
}

/**
 * Every topic must have at least the copies the cluster should give it (replicationFor the
 * brokers visible now, or TOPIC_REPLICATION_FACTOR): a cluster seen with a node down asks for
 * fewer, so the check can miss a shortfall then, never invent one.
 */
async function checkReplication(admin: TopicAdmin, specs: TopicSpec[]): Promise<void> {
  const brokers = (await admin.describeCluster()).brokers.length;
  const meta = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
  for (const s of specs) {
    const partitions = meta.topics.find((t) => t.name === s.topic)?.partitions ?? [];
    if (partitions.length === 0) continue;
    const have = Math.min(...partitions.map((p) => p.replicas.length));
    if (s.replicationFactor !== undefined) {
      if (have < s.replicationFactor) {
        throw new ReplicationMismatch(
          `topic ${s.topic} has ${copies(have)} but TOPIC_REPLICATION_FACTOR asks for ${s.replicationFactor}: ` +
            'raise it with kafka-reassign-partitions.sh (an existing topic keeps its replication), or lower the setting',
        );
      }
      continue;
    }
    const wanted = replicationFor(brokers).replicationFactor;
    if (have < wanted) {
      throw new ReplicationMismatch(
        `topic ${s.topic} has ${copies(have)} but a cluster of ${brokers} brokers should give it ${wanted}: ` +
          "set the brokers' default.replication.factor (and min.insync.replicas) to match, raise an existing topic with kafka-reassign-partitions.sh, " +
          `or set TOPIC_REPLICATION_FACTOR=${have} to accept ${copies(have)}`,
      );
    }
  }
}
