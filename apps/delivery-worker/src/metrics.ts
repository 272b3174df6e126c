import { prom, type Registry } from '@hookstream/service-kit';

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

export function createWorkerMetrics(registry: Registry) {
  const registers = [registry];
  return {
    attempts: new prom.Counter({
      name: 'hookstream_worker_attempts_total',
      help: 'Delivery attempts by outcome and HTTP status class',
      labelNames: ['outcome', 'status_class'] as const,
      registers,
    }),
    attemptDuration: new prom.Histogram({
      name: 'hookstream_worker_attempt_duration_seconds',
      help: 'Duration of delivery attempts (request to response or failure)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers,
    }),
    retriesScheduled: new prom.Counter({ name: 'hookstream_worker_retries_scheduled_total', help: 'Failed attempts re-queued on a retry topic', registers }),
    tierHops: new prom.Counter({ name: 'hookstream_worker_retry_tier_hops_total', help: 'Retry jobs moved to a shorter tier before they were due', registers }),
    retriesLeftToNewOwner: new prom.Counter({
      name: 'hookstream_worker_retries_left_to_new_owner_total',
      help: 'Retry jobs waiting in memory whose partition went to another worker in a rebalance: dropped here, sent by the new owner',
      registers,
    }),
    deadLetters: new prom.Counter({
      name: 'hookstream_worker_dead_letters_total',
      help: 'Jobs written to the dead-letter topic, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    skipped: new prom.Counter({
      name: 'hookstream_worker_deliveries_skipped_total',
      help: 'Jobs for buggy or disabled webhooks, recorded as skipped',
      registers,
    }),
    callLimit: new prom.Gauge({
      name: 'hookstream_worker_call_limit',
      help: 'Current worker-wide bound on calls in flight (adapts to CPU saturation)',
      registers,
    }),
    partitionsLeftOut: new prom.Gauge({
      name: 'hookstream_worker_partitions_left_out',
      help: 'Drained partitions of the slow retry tiers left out of the fetches until their next revisit',
      registers,
    }),
    assignedPartitions: new prom.Gauge({
      name: 'hookstream_worker_assigned_partitions',
      help: 'Partitions of each job topic this worker owns since its last group join (0 on every topic: it holds no work)',
      labelNames: ['topic'] as const,
      registers,
    }),
    inFlight: new prom.Gauge({ name: 'hookstream_worker_in_flight', help: 'Jobs taken from Kafka and not finished yet', registers }),
    markedBuggy: new prom.Counter({ name: 'hookstream_worker_webhooks_marked_buggy_total', help: 'Webhooks this worker marked buggy', registers }),
    tokenRequests: new prom.Counter({
      name: 'hookstream_worker_token_requests_total',
      help: 'client_secret_jwt token endpoint requests by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    retryLateness: new prom.Histogram({
      name: 'hookstream_worker_retry_lateness_seconds',
      help: 'How long after its due time a retry attempt started',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30],
      registers,
    }),
    auditFlushes: new prom.Counter({
      name: 'hookstream_worker_audit_flushes_total',
      help: 'Audit batches written, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
  };
}
