import type { Consumer, KafkaMessage } from 'kafkajs';
import { forgetConsumerGroup, takeFetchWaitFrom, watchFetchesOf, type FetchWatch } from './kafkajs-consumer-group.js';

export type { FetchedPartition, FetchWatch } from './kafkajs-consumer-group.js';

export type TopicPartitions = { topic: string; partitions?: number[] };
export type CommittedOffset = { topic: string; partition: number; offset: string };

/** The part of a fetched batch the job consumer reads. */
export interface JobBatch {
  /** `highWatermark`: the partition's end when it was fetched (the offset after its last record). */
  batch: { topic: string; partition: number; messages: KafkaMessage[]; highWatermark?: string };
  resolveOffset(offset: string): void;
  isRunning(): boolean;
  isStale(): boolean;
}

/**
 * What the job consumer needs from a Kafka consumer: the few calls and group events it uses,
 * small enough for an in-memory fake in unit tests.
 */
export interface ConsumerPort {
  subscribe(topics: string[]): Promise<void>;
  run(eachBatch: (batch: JobBatch) => Promise<void>): Promise<void>;
  pause(partitions: TopicPartitions[]): void;
  resume(partitions: TopicPartitions[]): void;
  commitOffsets(offsets: CommittedOffset[]): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * Takes each fetch's long-poll wait from `next`, called once as each fetch starts (or each
   * pause while every partition is paused). False when the consumer cannot, and keeps its fixed wait.
   */
  fetchWaitFrom(next: () => number): boolean;
  /**
   * Tells `watch` as each fetch starts and what it found on every partition it read, empty
   * ones included. False when the consumer cannot: then no partition is known drained.
   */
  watchFetches(watch: FetchWatch): boolean;
  /** After each (re)join, with the partitions assigned to this member per topic. */
  onGroupJoin(listener: (assignment: Record<string, number[]>) => void): void;
  onRebalancing(listener: () => void): void;
  /** `restart` tells whether kafkajs restarts the consumer by itself. */
  onCrash(listener: (error: Error, restart: boolean) => void): void;
}

/** The kafkajs consumer of group `groupId` behind the port. */
export function kafkaConsumerPort(consumer: Consumer, groupId: string): ConsumerPort {
  return {
    // A new group starts from the oldest retained job: jobs written before the first worker joined are not skipped.
    subscribe: (topics) => consumer.subscribe({ topics, fromBeginning: true }),
    run: (eachBatch) => consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch }),
    pause: (partitions) => consumer.pause(partitions),
    resume: (partitions) => consumer.resume(partitions),
    commitOffsets: (offsets) => consumer.commitOffsets(offsets),
    disconnect: async () => {
      await consumer.disconnect();
      forgetConsumerGroup(groupId);
    },
    fetchWaitFrom: (next) => takeFetchWaitFrom(groupId, next),
    watchFetches: (watch) => watchFetchesOf(groupId, watch),
    onGroupJoin: (listener) => void consumer.on(consumer.events.GROUP_JOIN, (e) => listener(e.payload.memberAssignment)),
    onRebalancing: (listener) => void consumer.on(consumer.events.REBALANCING, () => listener()),
    onCrash: (listener) => void consumer.on(consumer.events.CRASH, (e) => listener(e.payload.error, e.payload.restart)),
  };
}
