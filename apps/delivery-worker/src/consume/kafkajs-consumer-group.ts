import { createRequire } from 'node:module';

/**
 * Two things the worker's consumer needs from kafkajs's consumer group that kafkajs offers no
 * API for: each fetch's long-poll wait (kafkajs reads `maxWaitTime` once per fetch, in
 * src/consumer/consumerGroup.js: the Fetch request's wait, or the pause while every partition
 * is paused, and never lets it change after `kafka.consumer()`), and what each fetch found on
 * every partition it read, empty ones included (kafkajs hands only partitions with records to
 * `eachBatch`, so a drained partition is otherwise never seen). This changes the class at run
 * time: `maxWaitTime` becomes an accessor and `fetch` is wrapped, so a group registered here
 * gets its wait from its own function and its fetches reported; other groups keep the number
 * they were created with and are not watched. Not a public kafkajs API: the module is reached by
 * its path, and only the release it was written against is changed.
 */
const PATCHED_KAFKAJS_VERSION = '2.2.4';
const fixedWait = Symbol('fixed maxWaitTime');

/** A partition a fetch read: where it started, and the partition's high watermark then. */
export interface FetchedPartition {
  topic: string;
  partition: number;
  fetchedOffset: string;
  highWatermark: string;
  /** Records the fetch returned (0: the partition had nothing from `fetchedOffset` on). */
  records: number;
}

export interface FetchWatch {
  /** A fetch is about to build its request from the partitions not paused. */
  beforeFetch(): void;
  /** What the fetch found, before the batches with records reach `eachBatch`. */
  fetched(partitions: FetchedPartition[]): void;
}

/** The fields of kafkajs's Batch read here. */
interface FetchedBatch {
  topic: string;
  partition: number;
  fetchedOffset: string;
  highWatermark: string;
  messages: unknown[];
}

interface ConsumerGroupInstance {
  groupId: string;
  [fixedWait]?: number;
}

const sources = new Map<string, () => number>();
const watches = new Map<string, FetchWatch>();
let patched: boolean | undefined;

function patchConsumerGroup(): boolean {
  if (patched !== undefined) return patched;
  const require = createRequire(import.meta.url);
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_KAFKAJS_VERSION) return (patched = false);
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as {
    prototype: { fetch(this: ConsumerGroupInstance, nodeId: number): Promise<FetchedBatch[]> };
  };
  Object.defineProperty(ConsumerGroup.prototype, 'maxWaitTime', {
    configurable: true,
    get(this: ConsumerGroupInstance): number | undefined {
      const next = sources.get(this.groupId);
      return next ? next() : this[fixedWait];
    },
    set(this: ConsumerGroupInstance, value: number) {
      this[fixedWait] = value;
    },
  });
  const fetch = ConsumerGroup.prototype.fetch;
  ConsumerGroup.prototype.fetch = async function watchedFetch(this: ConsumerGroupInstance, nodeId: number) {
    const watch = watches.get(this.groupId);
    if (!watch) return fetch.call(this, nodeId);
    watch.beforeFetch();
    const batches = await fetch.call(this, nodeId);
    watch.fetched(
      batches.map((b) => ({
        topic: b.topic,
        partition: b.partition,
        fetchedOffset: String(b.fetchedOffset),
        highWatermark: String(b.highWatermark),
        records: b.messages.length,
      })),
    );
    return batches;
  };
  return (patched = true);
}

/**
 * From now on, every fetch of consumer group `groupId` in this process waits what `next`
 * returns (one consumer per group and process, as the worker runs). False when this kafkajs
 * release cannot be changed: its fetches keep their fixed wait.
 */
export function takeFetchWaitFrom(groupId: string, next: () => number): boolean {
  if (!patchConsumerGroup()) return false;
  sources.set(groupId, next);
  return true;
}

/**
 * From now on, `watch` hears about every fetch of consumer group `groupId` in this process.
 * False when this kafkajs release cannot be changed.
 */
export function watchFetchesOf(groupId: string, watch: FetchWatch): boolean {
  if (!patchConsumerGroup()) return false;
  watches.set(groupId, watch);
  return true;
}

/** The group's fetches go back to their fixed wait and are no longer watched. */
export function forgetConsumerGroup(groupId: string): void {
  sources.delete(groupId);
  watches.delete(groupId);
}
