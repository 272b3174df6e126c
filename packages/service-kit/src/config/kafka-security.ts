import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, env, type ConfigOf, type Reader } from './env.js';

export const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

function optionalMechanism(): Reader<SaslMechanism | undefined> {
  return {
    parse: (raw) => {
      if (raw === undefined) return undefined;
      const v = raw.trim().toLowerCase();
      if (!(SASL_MECHANISMS as readonly string[]).includes(v)) throw `must be one of ${SASL_MECHANISMS.join(', ')}`;
      return v as SaslMechanism;
    },
  };
}

/** How every process (apps, CLI, tests) authenticates to Kafka and encrypts the connection. */
export const kafkaSecuritySpec = {
  KAFKA_SSL: env.bool(false),
  /** PEM file of the CA(s) that signed the brokers' certificates (default: Node's public roots). */
  KAFKA_SSL_CA_FILE: env.optionalString(),
  /** The same PEM inline, for platforms that hand certificates over as variables. */
  KAFKA_SSL_CA: env.optionalString(),
  KAFKA_SSL_CERT_FILE: env.optionalString(),
  KAFKA_SSL_KEY_FILE: env.optionalString(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: env.bool(true),
  KAFKA_SASL_MECHANISM: optionalMechanism(),
  KAFKA_SASL_USERNAME: env.optionalString({ pattern: /^[^\s,=]{1,256}$/, rule: 'a user name without spaces, "," or "="' }),
  // A line break would be sent to the broker as part of the password (a pasted file's newline).
  KAFKA_SASL_PASSWORD: env.optionalString({ secret: true, pattern: /^[^\r\n]{1,1024}$/, rule: 'a single line of at most 1024 characters' }),
  KAFKA_SASL_PASSWORD_FILE: env.optionalString(),
};

export type KafkaSecurityConfig = ConfigOf<typeof kafkaSecuritySpec>;

/** The kafkajs `ssl` and `sasl` options (absent: plaintext, no authentication). */
export interface KafkaSecurity {
  ssl?: ConnectionOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

function readFileSetting(variable: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(variable, `names a file that cannot be read (${code})`, file);
  }
}

function certificatePem(variable: string, pem: string, shown: string): string {
  try {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no certificate');
    new X509Certificate(pem);
  } catch {
    throw new ConfigError(variable, 'must hold a PEM certificate (-----BEGIN CERTIFICATE-----)', shown);
  }
  return pem;
}

function privateKeyPem(variable: string, pem: string, shown: string): string {
  try {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new Error('no key');
    createPrivateKey(pem);
  } catch {
    // The key's bytes are never quoted: only the file name.
    throw new ConfigError(variable, 'must hold an unencrypted PEM private key', shown);
  }
  return pem;
}

function buildSsl(c: KafkaSecurityConfig): ConnectionOptions | undefined {
  const tlsOnly = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CA', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const).find((v) => c[v] !== undefined);
  if (!c.KAFKA_SSL) {
    if (tlsOnly) throw new ConfigError('KAFKA_SSL', `must be true when ${tlsOnly} is set`, undefined);
    return undefined;
  }
  const ssl: ConnectionOptions = { rejectUnauthorized: c.KAFKA_SSL_REJECT_UNAUTHORIZED };
  if (c.KAFKA_SSL_CA !== undefined && c.KAFKA_SSL_CA_FILE !== undefined) {
    throw new ConfigError('KAFKA_SSL_CA', 'must not be set together with KAFKA_SSL_CA_FILE: set one, not both', '<inline PEM>');
  }
  if (c.KAFKA_SSL_CA_FILE !== undefined) {
    ssl.ca = [certificatePem('KAFKA_SSL_CA_FILE', readFileSetting('KAFKA_SSL_CA_FILE', c.KAFKA_SSL_CA_FILE), c.KAFKA_SSL_CA_FILE)];
  } else if (c.KAFKA_SSL_CA !== undefined) {
    ssl.ca = [certificatePem('KAFKA_SSL_CA', c.KAFKA_SSL_CA, '<inline value>')];
  }
  const { KAFKA_SSL_CERT_FILE: certFile, KAFKA_SSL_KEY_FILE: keyFile } = c;
  if (certFile !== undefined && keyFile === undefined)
    throw new ConfigError('KAFKA_SSL_KEY_FILE', 'is required when KAFKA_SSL_CERT_FILE is set (mutual TLS)', undefined);
  if (keyFile !== undefined && certFile === undefined)
    throw new ConfigError('KAFKA_SSL_CERT_FILE', 'is required when KAFKA_SSL_KEY_FILE is set (mutual TLS)', undefined);
  if (certFile !== undefined && keyFile !== undefined) {
    ssl.cert = certificatePem('KAFKA_SSL_CERT_FILE', readFileSetting('KAFKA_SSL_CERT_FILE', certFile), certFile);
    ssl.key = privateKeyPem('KAFKA_SSL_KEY_FILE', readFileSetting('KAFKA_SSL_KEY_FILE', keyFile), keyFile);
  }
  return ssl;
}

function buildSasl(c: KafkaSecurityConfig): KafkaSecurity['sasl'] {
  const mechanism = c.KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) {
    const stray = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const).find((v) => c[v] !== undefined);
    if (stray) throw new ConfigError('KAFKA_SASL_MECHANISM', `is required when ${stray} is set: one of ${SASL_MECHANISMS.join(', ')}`, undefined);
    return undefined;
  }
  if (c.KAFKA_SASL_USERNAME === undefined) throw new ConfigError('KAFKA_SASL_USERNAME', 'is required when KAFKA_SASL_MECHANISM is set', undefined);
  if (c.KAFKA_SASL_PASSWORD !== undefined && c.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    throw new ConfigError('KAFKA_SASL_PASSWORD_FILE', 'must not be set together with KAFKA_SASL_PASSWORD: set one, not both', c.KAFKA_SASL_PASSWORD_FILE);
  }
  let password = c.KAFKA_SASL_PASSWORD;
  if (c.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    // Files written by editors and secret mounts often end with a newline that is no part of the password.
    password = readFileSetting('KAFKA_SASL_PASSWORD_FILE', c.KAFKA_SASL_PASSWORD_FILE).replace(/\r?\n$/, '');
    if (!/^[^\r\n]{1,1024}$/.test(password)) {
      throw new ConfigError('KAFKA_SASL_PASSWORD_FILE', 'must name a file holding one line of 1 to 1024 characters (the password)', c.KAFKA_SASL_PASSWORD_FILE);
    }
  }
  if (password === undefined) {
    throw new ConfigError('KAFKA_SASL_PASSWORD', 'or KAFKA_SASL_PASSWORD_FILE is required when KAFKA_SASL_MECHANISM is set', undefined);
  }
  if (mechanism === 'plain' && !c.KAFKA_SSL) {
    throw new ConfigError('KAFKA_SSL', 'must be true with KAFKA_SASL_MECHANISM=plain: PLAIN sends the password as it is, so only over TLS', undefined);
  }
  return { mechanism, username: c.KAFKA_SASL_USERNAME, password };
}

/**
 * Checks the Kafka security settings together (the files are read and parsed here, at
 * start) and builds the kafkajs options; a wrong setting throws a ConfigError naming it.
 */
export function kafkaSecurity(c: KafkaSecurityConfig): KafkaSecurity {
  const ssl = buildSsl(c);
  const sasl = buildSasl(c);
  return { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}

/** One line for the start-up log: how the process reaches Kafka, never the password. */
export function describeKafkaSecurity(c: KafkaSecurityConfig): string {
  const transport = c.KAFKA_SSL ? `tls (certificate ${c.KAFKA_SSL_REJECT_UNAUTHORIZED ? 'verified' : 'NOT verified'})` : 'plaintext';
  const auth = c.KAFKA_SASL_MECHANISM ? `sasl ${c.KAFKA_SASL_MECHANISM} as ${c.KAFKA_SASL_USERNAME ?? '?'}` : 'no authentication';
  return `${transport}, ${auth}`;
}
