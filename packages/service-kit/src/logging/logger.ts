import { pino, type Logger } from 'pino';

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
  // kafkajs' connection options ({ sasl: { password }, ssl: { key } }) wherever they are nested.
  '*.sasl.password',
  '*.*.sasl.password',
  'ssl.key',
  '*.ssl.key',
  '*.*.ssl.key',
];

export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
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
