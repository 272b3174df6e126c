import { pino, type Logger } from 'pino';
import { activeTraceId } from '../tracing/tracing.js';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear, so that a secret passed along in an
 * object we log (a webhook, a request, a config) never reaches a log line.
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'secret',
  '*.secret',
  'client_secret',
  '*.client_secret',
  '*.*.client_secret',
  'signing_secret',
  '*.signing_secret',
  'access_token',
  '*.access_token',
  'api_key',
  '*.api_key',
  'password',
  '*.password',
  'value',
  'secret_value',
  '*.secret_value',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-openweb-notification-event-webhook-token"]',
  'client_assertion',
  '*.client_assertion',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'HOOKSTREAM_ADMIN_TOKEN',
  '*.HOOKSTREAM_ADMIN_TOKEN',
  'HOOKSTREAM_SECRET_KEY',
  '*.HOOKSTREAM_SECRET_KEY',
  'HOOKSTREAM_SECRET_KEYS',
  '*.HOOKSTREAM_SECRET_KEYS',
  'KAFKA_SASL_PASSWORD',
  '*.KAFKA_SASL_PASSWORD',
  // Portal and console sessions (issue 20.1): the signing key, the CSRF token, the session cookie.
  'HOOKSTREAM_PORTAL_KEY',
  '*.HOOKSTREAM_PORTAL_KEY',
  'csrf_token',
  '*.csrf_token',
  '*.headers.cookie',
  '*.headers["x-csrf-token"]',
  // kafkajs' connection options ({ sasl: { password }, ssl: { key } }) wherever they are nested.
  '*.sasl.password',
  '*.*.sasl.password',
  'ssl.key',
  '*.ssl.key',
  '*.*.ssl.key',
];

export interface LoggerOptions {
  /** Adds `trace_id` to lines written while a span is active (only when tracing is on: the mixin runs on every line). */
  traceIds?: boolean;
}

export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      ...(options.traceIds ? { mixin: traceMixin } : {}),
      base: { service, pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

function traceMixin(): object {
  const traceId = activeTraceId();
  return traceId ? { trace_id: traceId } : {};
}

/** A connection string without its password, for log lines. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
