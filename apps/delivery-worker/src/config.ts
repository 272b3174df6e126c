import { env, heartbeatIntervalSetting, secretKeyRingConfig, sessionTimeoutSetting } from '@hookstream/service-kit';

// The Jive seed caps the connect timeout at 15 s and the read timeout at 5 s; the
// notification seed allows 10 s for a 2xx (the webhook's own `timeout_ms`, <= 10 s).
export const MAX_CONNECT_TIMEOUT_MS = 15_000;
export const MAX_READ_TIMEOUT_MS = 5_000;

/** The worker's own settings, on top of the service kit's base configuration. */
export const workerConfigSpec = {
  /** Opens the sealed secrets: HOOKSTREAM_SECRET_KEYS (a key ring) or the single HOOKSTREAM_SECRET_KEY. */
  HOOKSTREAM_SECRET_KEYS: secretKeyRingConfig,
  HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: env.bool(false),
  /** Connection establishment (DNS + TCP + TLS), for every webhook. */
  DELIVERY_CONNECT_TIMEOUT_MS: env.int({ default: MAX_CONNECT_TIMEOUT_MS, min: 100, max: MAX_CONNECT_TIMEOUT_MS }),
  /** Silence allowed on the socket while reading a response, for content and system (Jive) webhooks. */
  DELIVERY_READ_TIMEOUT_MS: env.int({ default: MAX_READ_TIMEOUT_MS, min: 100, max: MAX_READ_TIMEOUT_MS }),
  /**
   * Upper bound of calls in flight in this worker, all webhooks together (each webhook also has
   * its own max_in_flight). The bound in force adapts between DELIVERY_MIN_CONCURRENCY and this:
   * it shrinks while the process is CPU-saturated (more calls at once would only make each one
   * slower, and a due retry would wait behind them) and grows while calls wait and there is room
   * (slow endpoints). Calls beyond it wait in their webhook's queue, retries first.
   */
  DELIVERY_MAX_CONCURRENCY: env.int({ default: 512, min: 1, max: 100_000 }),
  DELIVERY_MIN_CONCURRENCY: env.int({ default: 32, min: 1, max: 100_000 }),
  /**
   * Jobs handed out and being worked on, per Kafka partition, before that partition is paused.
   * Retries waiting in memory for their time do not count (see RETRY_IN_MEMORY_MAX_JOBS).
   */
  PARTITION_MAX_IN_FLIGHT: env.int({ default: 500, min: 1, max: 100_000 }),
  /** Consecutive discarded deliveries after which a webhook is marked buggy. */
  BUGGY_AFTER_DISCARDS: env.int({ default: 5, min: 1, max: 10_000 }),
  /** Seconds a tenant secret-store value is reused before it is read again. */
  TENANT_SECRET_CACHE_MS: env.int({ default: 2_000, min: 0, max: 10_000 }),
  AUDIT_FLUSH_INTERVAL_MS: env.int({ default: 150, min: 10, max: 5_000 }),
  AUDIT_FLUSH_ROWS: env.int({ default: 500, min: 1, max: 10_000 }),
  /**
   * Group session timeout: how long a crashed worker's partitions deliver nothing before the
   * group hands them to another member (or to its replacement). 6 s: delivery resumes within
   * 10 s of a SIGKILL (service-kit's group-liveness.ts).
   */
  CONSUMER_SESSION_TIMEOUT_MS: sessionTimeoutSetting(),
  /** At most a third of CONSUMER_SESSION_TIMEOUT_MS. */
  CONSUMER_HEARTBEAT_INTERVAL_MS: heartbeatIntervalSetting('CONSUMER_SESSION_TIMEOUT_MS'),
  /** Not ready when jobs wait and no offset was committed for this long (a stuck handler or lost membership). */
  CONSUMER_STALL_AFTER_MS: env.int({ default: 60_000, min: 1_000, max: 3_600_000 }),
  /**
   * Exit (a supervisor starts a fresh process) after this long without a commit while jobs wait
   * and Kafka and PostgreSQL answer: a consumer that will not recover by itself. 0: never.
   */
  CONSUMER_STUCK_EXIT_AFTER_MS: env.int({ default: 600_000, min: 0, max: 86_400_000 }),
  /**
   * Long-poll wait of a fetch while jobs flow; bounds how late a partition resumed after a
   * saturation is read.
   */
  CONSUMER_MAX_WAIT_MS: env.int({ default: 200, min: 10, max: 5_000 }),
  /**
   * The longest long-poll wait once fetches keep finding nothing (it doubles from
   * CONSUMER_MAX_WAIT_MS, and is back there after the first record or resume; never past a
   * held retry partition's resume or a drained tier's revisit). Every empty fetch costs an idle
   * worker CPU and garbage (kafkajs' bookkeeping of every partition it reads). Capped at a third
   * of the session timeout, because kafkajs heartbeats between fetches; a longer wait also delays
   * noticing a rebalance and a shutdown (an idle worker's only: a busy one waits
   * CONSUMER_MAX_WAIT_MS).
   */
  CONSUMER_IDLE_MAX_WAIT_MS: env.int({ default: 2_000, min: 10, max: 5_000 }),
  /**
   * Long-poll wait of a fetch while a partition is paused because its unfinished jobs reached
   * PARTITION_MAX_IN_FLIGHT: the fetches then read mostly empty partitions, and the paused one
   * is read again only after the fetch in progress ends (at most CONSUMER_MAX_WAIT_MS).
   */
  CONSUMER_SATURATED_MAX_WAIT_MS: env.int({ default: 20, min: 1, max: 5_000 }),
  /**
   * A retry tier of 5 s or more whose partition is read up to its end is left out of the
   * fetches and read again every 2/5 of its delay, at most this often apart (its records are
   * never due before a whole delay after they were written). 0: every fetch reads every tier.
   */
  CONSUMER_DRAINED_REVISIT_MAX_MS: env.int({ default: 5_000, min: 0, max: 600_000 }),
  /**
   * Retry jobs due within this long wait in memory; later ones pause their partition, which is
   * read again 1 s before the time. Longer: fewer refetches, more jobs held per worker.
   */
  RETRY_IN_MEMORY_WAIT_MS: env.int({ default: 5_000, min: 2_000, max: 60_000 }),
  /**
   * Retries waiting in memory, all partitions together (a few KiB each), before more are left
   * in Kafka. Counting them against PARTITION_MAX_IN_FLIGHT paused a retry partition as soon as
   * 500 waited, and retries due meanwhile were read late: p99 lateness 0.5-1 s with 10,000 in
   * retry, against about 0.1 s with this bound.
   */
  RETRY_IN_MEMORY_MAX_JOBS: env.int({ default: 20_000, min: 1, max: 1_000_000 }),
  /** Interval of offset commits of finished work. */
  COMMIT_INTERVAL_MS: env.int({ default: 200, min: 10, max: 10_000 }),
};
