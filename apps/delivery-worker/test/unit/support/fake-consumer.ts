import type { KafkaMessage } from 'kafkajs';
import type { CommittedOffset, ConsumerPort, FetchedPartition, FetchWatch, JobBatch, TopicPartitions } from '../../../src/consume/consumer-port.js';

/** An in-memory consumer: the test hands in batches and group events and reads what the job consumer asked. */
export class FakeConsumer implements ConsumerPort {
  subscribed: string[] = [];
  commits: CommittedOffset[][] = [];
  pauses: TopicPartitions[][] = [];
  resumes: TopicPartitions[][] = [];
  disconnected = false;
  private eachBatch: ((batch: JobBatch) => Promise<void>) | undefined;
  private joinListener: ((assignment: Record<string, number[]>) => void) | undefined;
  private rebalanceListener: (() => void) | undefined;
  private crashListener: ((error: Error, restart: boolean) => void) | undefined;
  private fetchWait: (() => number) | undefined;
  private fetchWatch: FetchWatch | undefined;
  /** Set by a test before start: a consumer that cannot report its fetches. */
  reportsFetches = true;

  async subscribe(topics: string[]): Promise<void> {
    this.subscribed = topics;
  }
  async run(eachBatch: (batch: JobBatch) => Promise<void>): Promise<void> {
    this.eachBatch = eachBatch;
  }
  pause(partitions: TopicPartitions[]): void {
    this.pauses.push(partitions);
  }
  resume(partitions: TopicPartitions[]): void {
    this.resumes.push(partitions);
  }
  /** Set by a test to hold commits until it resolves this. */
  commitGate: Promise<void> | undefined;
  async commitOffsets(offsets: CommittedOffset[]): Promise<void> {
    this.commits.push(offsets);
    await this.commitGate;
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
  onGroupJoin(listener: (assignment: Record<string, number[]>) => void): void {
    this.joinListener = listener;
  }
  onRebalancing(listener: () => void): void {
    this.rebalanceListener = listener;
  }
  onCrash(listener: (error: Error, restart: boolean) => void): void {
    this.crashListener = listener;
  }

  fetchWaitFrom(next: () => number): boolean {
    this.fetchWait = next;
    return true;
  }

  watchFetches(watch: FetchWatch): boolean {
    if (!this.reportsFetches) return false;
    this.fetchWatch = watch;
    return true;
  }

  /** The wait the next fetch would use, as kafkajs asks for it before each fetch (after telling the watch it starts). */
  startFetch(): number | undefined {
    this.fetchWatch?.beforeFetch();
    return this.fetchWait?.();
  }

  /** What a fetch found, as the kafkajs consumer group reports it. */
  fetched(partitions: FetchedPartition[]): void {
    this.fetchWatch?.fetched(partitions);
  }

  join(assignment: Record<string, number[]>): void {
    this.joinListener?.(assignment);
  }
  rebalance(): void {
    this.rebalanceListener?.();
  }
  crash(error: Error, restart: boolean): void {
    this.crashListener?.(error, restart);
  }

  /** Hands one batch to the job consumer; returns the offsets it resolved. */
  async deliver(topic: string, partition: number, messages: KafkaMessage[], highWatermark?: string): Promise<string[]> {
    if (!this.eachBatch) throw new Error('the consumer is not running');
    const resolved: string[] = [];
    await this.eachBatch({
      batch: { topic, partition, messages, ...(highWatermark !== undefined ? { highWatermark } : {}) },
      resolveOffset: (offset) => void resolved.push(offset),
      isRunning: () => true,
      isStale: () => false,
    });
    return resolved;
  }
}
