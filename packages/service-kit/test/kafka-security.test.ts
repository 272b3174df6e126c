import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ConfigError, createLogger, describeKafkaSecurity, kafkaSecurity, loadConfig } from '../src/index.js';

// A throwaway CA certificate and client key made for this run (never committed).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookstream-kafka-tls-'));
const caFile = path.join(dir, 'ca.pem');
const keyFile = path.join(dir, 'client.key');
const passwordFile = path.join(dir, 'password');
const PASSWORD = 'Tr0ub4dor-and-3';

beforeAll(() => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
      '-keyout',
      keyFile,
      '-out',
      caFile,
    ],
    { stdio: 'ignore' },
  );
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The configuration as every app reads it, then the kafkajs options built from it. */
const securityOf = (vars: Record<string, string>) => kafkaSecurity(loadConfig({}, vars));

function configError(vars: Record<string, string>): ConfigError {
  try {
    securityOf(vars);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('Kafka authentication and encryption settings (#16.11)', () => {
  it('connects in plain text without SASL when nothing is set', () => {
    expect(securityOf({})).toEqual({});
  });

  it.each(['scram-sha-512', 'scram-sha-256', 'plain'] as const)('builds SASL %s with username and password', (mechanism) => {
    const s = securityOf({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(s.sasl).toEqual({ mechanism, username: 'svc', password: PASSWORD });
    expect(s.ssl).toEqual({ rejectUnauthorized: true });
  });

  it('reads the password from KAFKA_SASL_PASSWORD_FILE without its trailing newline', () => {
    const s = securityOf({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD_FILE: passwordFile });
    expect(s.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: PASSWORD });
    expect(s.ssl).toBeUndefined();
  });

  it('builds TLS with a CA file, a client certificate and key, and verification on by default', () => {
    const s = securityOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile, KAFKA_SSL_CERT_FILE: caFile, KAFKA_SSL_KEY_FILE: keyFile });
    const ca = fs.readFileSync(caFile, 'utf8');
    expect(s.ssl).toEqual({ rejectUnauthorized: true, ca: [ca], cert: ca, key: fs.readFileSync(keyFile, 'utf8') });
  });

  it('takes an inline CA and lets verification be turned off explicitly', () => {
    const ca = fs.readFileSync(caFile, 'utf8');
    expect(securityOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA: ca, KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).ssl).toEqual({ rejectUnauthorized: false, ca: [ca] });
  });

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'gssapi' }, 'KAFKA_SASL_MECHANISM', /must be one of scram-sha-512, scram-sha-256, plain/],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: PASSWORD }, 'KAFKA_SASL_USERNAME', /is required when KAFKA_SASL_MECHANISM is set/],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc' },
      'KAFKA_SASL_PASSWORD',
      /KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required/,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: PASSWORD, KAFKA_SASL_PASSWORD_FILE: passwordFile },
      'KAFKA_SASL_PASSWORD_FILE',
      /not both/,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD_FILE: path.join(dir, 'nope') },
      'KAFKA_SASL_PASSWORD_FILE',
      /cannot be read/,
    ],
    [{ KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: PASSWORD }, 'KAFKA_SASL_MECHANISM', /is required when KAFKA_SASL_USERNAME/],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: PASSWORD }, 'KAFKA_SSL', /must be true with KAFKA_SASL_MECHANISM=plain/],
    [{ KAFKA_SSL_CA_FILE: caFile }, 'KAFKA_SSL', /must be true when KAFKA_SSL_CA_FILE is set/],
    [{ KAFKA_SSL: 'maybe' }, 'KAFKA_SSL', /must be true or false/],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: path.join(dir, 'missing.pem') }, 'KAFKA_SSL_CA_FILE', /cannot be read/],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: passwordFile }, 'KAFKA_SSL_CA_FILE', /PEM certificate/],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA: 'not a pem' }, 'KAFKA_SSL_CA', /PEM certificate/],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA: 'x', KAFKA_SSL_CA_FILE: caFile }, 'KAFKA_SSL_CA', /not both/],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: caFile }, 'KAFKA_SSL_KEY_FILE', /is required when KAFKA_SSL_CERT_FILE is set/],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: caFile, KAFKA_SSL_KEY_FILE: caFile }, 'KAFKA_SSL_KEY_FILE', /unencrypted PEM private key/],
  ])('refuses %j with an error naming %s', (vars, variable, rule) => {
    const e = configError(vars as Record<string, string>);
    expect(e.variable).toBe(variable);
    expect(e.message.startsWith(variable)).toBe(true);
    expect(e.message).toMatch(rule);
    expect(e.message).not.toContain(PASSWORD);
  });

  it('never echoes the password, even when it is the broken value', () => {
    // A password with a newline inside is refused (kafkajs would send it as it is).
    const e = configError({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: `${PASSWORD}\nx` });
    expect(e.variable).toBe('KAFKA_SASL_PASSWORD');
    expect(e.message).not.toContain(PASSWORD);
    expect(e.message).toContain('<redacted>');
  });

  it('describes the connection for the start-up log line without the password', () => {
    const config = loadConfig({}, { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(describeKafkaSecurity(config)).toBe('tls (certificate verified), sasl scram-sha-256 as svc');
    expect(describeKafkaSecurity(loadConfig({}, {}))).toBe('plaintext, no authentication');
  });

  it('keeps the password out of log lines that carry the configuration or kafkajs options', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', 'info', sink);
    const config = loadConfig({}, { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: PASSWORD });
    logger.info({ config }, 'config');
    logger.info({ ...config }, 'flat config');
    logger.info({ kafka: kafkaSecurity(config) }, 'options');
    logger.info(kafkaSecurity(config), 'flat options');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l).not.toContain(PASSWORD);
  });
});
