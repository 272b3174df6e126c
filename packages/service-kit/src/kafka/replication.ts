/** How the topics hookstream creates are replicated. */
export interface Replication {
  /** -1 ({@link BROKER_DEFAULT}): the brokers' `default.replication.factor`. */
  replicationFactor: number;
  /** Set on the topic when the factor is 3 or more; otherwise the broker's default applies. */
  minInsyncReplicas: number | undefined;
}

/** The replication factor createTopics reads as "the brokers' `default.replication.factor`". */
export const BROKER_DEFAULT = -1;

/**
 * What a cluster of `brokers` brokers should give each topic: min(3, brokers) copies unless
 * TOPIC_REPLICATION_FACTOR sets it, and with three copies or more a write needs two of them
 * (`min.insync.replicas` 2, the producers sending `acks=all`), so one broker can die without
 * losing an acknowledged record or stopping writes. infra/kafka's cluster launcher and
 * infra/k8s give their brokers these defaults; ensureTopics refuses to start on a topic with fewer
 * copies than this.
 */
export function replicationFor(brokers: number, configured?: number): Replication {
  const replicationFactor = configured ?? Math.min(3, Math.max(1, brokers));
  if (replicationFactor > brokers) {
    throw new Error(
      `TOPIC_REPLICATION_FACTOR is ${replicationFactor} but the Kafka cluster has ${brokers} broker${brokers === 1 ? '' : 's'}: ` +
        'a topic cannot have more copies than brokers (leave it unset to follow the cluster)',
    );
  }
  return { replicationFactor, minInsyncReplicas: replicationFactor >= 3 ? 2 : undefined };
}

/**
 * What ensureTopics asks the broker for when it creates a topic. Unconfigured, the brokers'
 * defaults: the broker then refuses the topic while fewer brokers are registered than its
 * factor, where a factor counted from the brokers visible at that moment would silently
 * create a topic with fewer copies (a node still starting, or fenced after a crash) and keep it so.
 */
export function creationReplication(configured?: number): Replication {
  if (configured === undefined) return { replicationFactor: BROKER_DEFAULT, minInsyncReplicas: undefined };
  return { replicationFactor: configured, minInsyncReplicas: configured >= 3 ? 2 : undefined };
}
