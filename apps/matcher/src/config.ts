import { env, heartbeatIntervalSetting, sessionTimeoutSetting } from '@hookstream/service-kit';

/** The matcher's own settings, on top of the base ones every app shares. */
export const matcherConfigSpec = {
  // Default: `<KAFKA_TOPIC_PREFIX>matcher`, so deployments sharing a cluster under different prefixes never share a group.
  MATCHER_GROUP_ID: env.optionalString({ pattern: /^[A-Za-z0-9._-]{1,200}$/, rule: 'letters, digits, ".", "_" or "-" (1 to 200)' }),
  /**
   * Messages handled per step inside a fetched batch: each step writes the event index,
   * produces its jobs and commits. Smaller steps lose less progress on a crash; larger ones
   * amortise round trips.
   */
  MATCHER_CHUNK_SIZE: env.int({ default: 500, min: 1, max: 10_000 }),
  /**
   * How long the offset of a slice smaller than MATCHER_CHUNK_SIZE may wait to share its commit
   * request with later slices (a full slice's goes out at once). At a low rate each fetch brings
   * a few events, and a commit per fetch was a third of the matcher's Kafka requests. A crash
   * repeats at most this long of such slices (same delivery ids). 0: every slice commits at once.
   */
  MATCHER_COMMIT_LINGER_MS: env.int({ default: 200, min: 0, max: 5_000 }),
  /**
   * Partitions of `events` processed at the same time by one process. At least the number of
   * partitions one matcher owns: kafkajs fetches again only once every batch of a fetch is
   * done, so a batch waiting for a free slot delays the whole next fetch.
   */
  MATCHER_PARTITIONS_CONCURRENTLY: env.int({ default: 16, min: 1, max: 100 }),
  /**
   * After two fetches of `events` in a row that brought fewer than MATCHER_FETCH_LINGER_BELOW
   * events each, the next fetch waits until it should bring that many at the current rate, and
   * at most this long after the second of them arrived, so it gathers more; a fetch that such a
   * wait gathered waits again unless it brought twice that many. At a moderate rate the fixed
   * cost of each fetch, produce and index statement (and of the worker's batch behind them) is
   * shared by more events, for this much latency at most. 0: fetch on at once.
   */
  MATCHER_FETCH_LINGER_MS: env.int({ default: 25, min: 0, max: 200 }),
  /** A fetch with fewer events than this is small; the next fetch after two small ones (or after a held one with fewer than twice this many) is held until it should bring this many. */
  MATCHER_FETCH_LINGER_BELOW: env.int({ default: 8, min: 1, max: 10_000 }),
  /**
   * Consumer group session timeout: how long a crashed matcher holds its partitions before others
   * (or its replacement) take over. 6 s: delivery resumes within 10 s of a SIGKILL.
   */
  MATCHER_SESSION_TIMEOUT_MS: sessionTimeoutSetting(),
  /** At most a third of MATCHER_SESSION_TIMEOUT_MS. */
  MATCHER_HEARTBEAT_INTERVAL_MS: heartbeatIntervalSetting('MATCHER_SESSION_TIMEOUT_MS'),
  /** Back-off ceiling while PostgreSQL or Kafka refuses a step (the step is retried, never skipped). */
  MATCHER_RETRY_MAX_MS: env.int({ default: 5_000, min: 100, max: 60_000 }),
  /** Not ready when events wait and no offset was committed for this long (a stuck or fenced consumer). */
  MATCHER_STALL_AFTER_MS: env.int({ default: 60_000, min: 1_000, max: 3_600_000 }),
  /**
   * Exit (a supervisor starts a fresh process) after this long without a commit while events wait
   * and Kafka and PostgreSQL answer: a consumer that will not recover by itself. 0: never.
   */
  MATCHER_STUCK_EXIT_AFTER_MS: env.int({ default: 600_000, min: 0, max: 86_400_000 }),
};
