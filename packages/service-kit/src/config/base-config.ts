import { env, readConfig, type ConfigOf, type Reader } from './env.js';
import { kafkaSecurity, kafkaSecuritySpec } from './kafka-security.js';
import { tracingConfigSpec } from '../tracing/tracing.js';

/** Settings every hookstream process shares. */
export const baseConfigSpec = {
  KAFKA_BROKERS: env.brokers(),
  KAFKA_TOPIC_PREFIX: env.string({ default: 'hookstream.', pattern: /^[A-Za-z0-9._-]{0,100}$/, rule: 'letters, digits, ".", "_" or "-" only' }),
  ...kafkaSecuritySpec,
  KAFKA_CLIENT_ID: env.optionalString({ pattern: /^[A-Za-z0-9._-]{1,100}$/, rule: 'letters, digits, ".", "_" or "-"' }),
  DATABASE_URL: env.postgresUrl('postgres://postgres@127.0.0.1:5432/hookstream'),
  DATABASE_POOL_MAX: env.int({ default: 10, min: 1, max: 200 }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  SHUTDOWN_TIMEOUT_MS: env.int({ default: 15_000, min: 100, max: 600_000 }),
  /** How far V8's old generation may grow past what a mark-compact kept, in percent; 0: V8's own choice (lifecycle/heap-growth.ts). */
  V8_HEAP_GROWING_PERCENT: env.int({ default: 200, min: 0, max: 1_000 }),
  TOPIC_PARTITIONS_EVENTS: env.int({ default: 6, min: 1, max: 1000 }),
  TOPIC_PARTITIONS_DELIVERIES: env.int({ default: 6, min: 1, max: 1000 }),
  TOPIC_PARTITIONS_RETRY: env.int({ default: 6, min: 1, max: 1000 }),
  TOPIC_PARTITIONS_DLQ: env.int({ default: 3, min: 1, max: 1000 }),
  /** Unset: min(3, brokers in the cluster), see kafka/replication.ts. */
  TOPIC_REPLICATION_FACTOR: env.optionalInt({ min: 1, max: 10 }),
  /** Public base URL of the gateway: webhook URIs in activity objects are built from it. */
  HOOKSTREAM_PUBLIC_URL: env.string({ default: 'http://127.0.0.1:8080', pattern: /^https?:\/\/[^\s/]+(\/[^\s]*)?$/, rule: 'an http(s) URL' }),
  /** OpenTelemetry: the standard OTEL_* variables (tracing/tracing.ts); off unless OTEL_TRACES_EXPORTER names an exporter. */
  ...tracingConfigSpec,
};

export type BaseConfig = ConfigOf<typeof baseConfigSpec>;

/** Reads the base spec merged with an app's own variables. */
export function loadConfig<S extends Record<string, Reader<unknown>>>(extra: S, source: NodeJS.ProcessEnv = process.env) {
  const config = readConfig({ ...baseConfigSpec, ...extra }, source) as BaseConfig & ConfigOf<S>;
  // The Kafka security variables only make sense together (a mechanism needs a user, a
  // certificate its key): checked here so that every app and the CLI refuse them at start.
  kafkaSecurity(config);
  return config;
}
