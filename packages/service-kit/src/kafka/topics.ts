import type { BaseConfig } from '../config/base-config.js';
import type { TopicSpec } from './client.js';

/** Logical topic names; the physical name carries the deployment's prefix. */
export const TOPIC = {
  events: 'events',
  eventsInvalid: 'events.invalid',
  deliveries: 'deliveries',
  deliveriesDlq: 'deliveries.dlq',
  webhookChanges: 'webhooks.changes',
} as const;

/** Delay tiers of the retry topics (`deliveries.retry.<tier>`), shortest first. */
export const RETRY_TIERS = ['1s', '5s', '30s', '2m', '10m', '1h', '6h'] as const;
export type RetryTier = (typeof RETRY_TIERS)[number];
export const RETRY_TIER_MS: Record<RetryTier, number> = {
  '1s': 1_000,
  '5s': 5_000,
  '30s': 30_000,
  '2m': 120_000,
  '10m': 600_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
};

export interface TopicNames {
  events: string;
  eventsInvalid: string;
  deliveries: string;
  deliveriesDlq: string;
  webhookChanges: string;
  retry: Record<RetryTier, string>;
}

export function topicNames(prefix: string): TopicNames {
  const retry = Object.fromEntries(RETRY_TIERS.map((t) => [t, `${prefix}deliveries.retry.${t}`])) as Record<RetryTier, string>;
  return {
    events: prefix + TOPIC.events,
    eventsInvalid: prefix + TOPIC.eventsInvalid,
    deliveries: prefix + TOPIC.deliveries,
    deliveriesDlq: prefix + TOPIC.deliveriesDlq,
    webhookChanges: prefix + TOPIC.webhookChanges,
    retry,
  };
}

const DAY_MS = 86_400_000;

/**
 * Every topic of the pipeline with its partition count and retention. Dead letters
 * and invalid events are kept longer because people read and replay them.
 */
export function topicSpecs(
  config: Pick<
    BaseConfig,
    'KAFKA_TOPIC_PREFIX' | 'TOPIC_PARTITIONS_EVENTS' | 'TOPIC_PARTITIONS_DELIVERIES' | 'TOPIC_PARTITIONS_RETRY' | 'TOPIC_PARTITIONS_DLQ'
  > &
    Partial<Pick<BaseConfig, 'TOPIC_REPLICATION_FACTOR'>>,
): TopicSpec[] {
  const names = topicNames(config.KAFKA_TOPIC_PREFIX);
  // Undefined: each topic gets the cluster's replication when it is created (ensureTopics).
  const rf = config.TOPIC_REPLICATION_FACTOR;
  const retention = (ms: number) => [{ name: 'retention.ms', value: String(ms) }];
  return [
    { topic: names.events, numPartitions: config.TOPIC_PARTITIONS_EVENTS, replicationFactor: rf, configEntries: retention(7 * DAY_MS) },
    { topic: names.eventsInvalid, numPartitions: config.TOPIC_PARTITIONS_DLQ, replicationFactor: rf, configEntries: retention(30 * DAY_MS) },
    { topic: names.deliveries, numPartitions: config.TOPIC_PARTITIONS_DELIVERIES, replicationFactor: rf, configEntries: retention(7 * DAY_MS) },
    { topic: names.deliveriesDlq, numPartitions: config.TOPIC_PARTITIONS_DLQ, replicationFactor: rf, configEntries: retention(30 * DAY_MS) },
    { topic: names.webhookChanges, numPartitions: 1, replicationFactor: rf, configEntries: retention(DAY_MS) },
    ...RETRY_TIERS.map((t) => ({
      topic: names.retry[t],
      numPartitions: config.TOPIC_PARTITIONS_RETRY,
      replicationFactor: rf,
      // A retry may wait up to retry_base^retry_max_count = 5^10 s (about 113 days) by hopping tiers; each hop is short-lived.
      configEntries: retention(Math.max(7 * DAY_MS, RETRY_TIER_MS[t] * 4)),
    })),
  ];
}
