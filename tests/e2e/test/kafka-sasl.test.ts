import { randomBytes } from 'node:crypto';
import { startApp, startPrivateBroker, startReceiver, startSystem, type PrivateBroker, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { event, newTenant, tokenWebhook } from './helpers.js';

/**
 * #16.11: the three apps reach a broker whose only client listener asks for SASL/SCRAM over
 * TLS (infra/kafka `start --sasl --tls`, a throwaway CA), with the settings every app and the
 * CLI read from KAFKA_SSL* and KAFKA_SASL*; wrong credentials or an untrusted certificate stop
 * an app at start with an error that names the settings and never shows the password.
 */
describe('Kafka with SASL/SCRAM authentication over TLS', () => {
  let broker: PrivateBroker;
  let system: TestSystem;
  let receiver: Receiver;
  let sasl: { username: string; password: string; passwordFile: string };
  const appsOutput = () => [system.gateway, ...system.matchers, ...system.workers].flatMap((p) => p.output());

  beforeAll(async () => {
    broker = await startPrivateBroker({ port: Number(process.env.SASL_BROKER_PORT ?? 19592), sasl: true, tls: true });
    sasl = broker.sasl!;
    [system, receiver] = await Promise.all([
      startSystem({
        brokers: broker.brokers,
        partitions: 1,
        env: {
          KAFKA_SSL: 'true',
          KAFKA_SSL_CA_FILE: broker.tls!.caFile,
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: sasl.username,
          KAFKA_SASL_PASSWORD_FILE: sasl.passwordFile,
        },
      }),
      startReceiver(),
    ]);
  });
  // system and receiver are unset when beforeAll failed.
  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
    await broker?.destroy();
  });

  it('runs the pipeline through the SASL/TLS broker: an event published to the gateway reaches the receiver', async () => {
    const tenant = await newTenant(system, 'sasl');
    await tenant.api.createWebhook(tokenWebhook(receiver, '/sasl', { email: ['liked-message'] }));
    const sent = event('liked-message', tenant.id);
    await tenant.api.publish(sent);
    await receiver.waitForUnique(1, { path: '/sasl', timeoutMs: 30_000 });
    expect(receiver.at('/sasl').map((r) => (r.body as { event_id?: string }).event_id)).toContain(sent.id);
    // Each app says how it reaches Kafka, and none prints the password.
    const starting = appsOutput().filter((l) => l.includes('"msg":"starting"'));
    expect(starting.length).toBeGreaterThanOrEqual(3);
    for (const l of starting) expect(l).toContain('tls (certificate verified), sasl scram-sha-512 as ' + sasl.username);
    expect(appsOutput().join('\n')).not.toContain(sasl.password);
  });

  it('refuses a wrong password at start with an error naming the settings, without the password', async () => {
    const wrong = `wrong-${randomBytes(12).toString('base64url')}`;
    const env = {
      ...system.env,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: sasl.username,
      KAFKA_SASL_PASSWORD_FILE: undefined,
      KAFKA_SASL_PASSWORD: wrong,
    };
    const failure = await startApp('matcher', { env, readyTimeoutMs: 60_000 }).then(
      async (p) => {
        await p.stop('SIGKILL');
        throw new Error('the matcher started with a wrong password');
      },
      (e: Error) => e.message,
    );
    expect(failure).toMatch(/exited \(1\) during start/);
    expect(failure).toMatch(/Kafka refused the credentials of KAFKA_SASL_USERNAME=hookstream with KAFKA_SASL_MECHANISM=scram-sha-256/);
    expect(failure).not.toContain(wrong);
  });

  it('refuses an incomplete setting at start, naming the missing variable', async () => {
    const env = {
      ...system.env,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: sasl.username,
      KAFKA_SASL_PASSWORD_FILE: undefined,
    };
    const failure = await startApp('delivery-worker', { env }).then(
      async (p) => {
        await p.stop('SIGKILL');
        return 'started';
      },
      (e: Error) => e.message,
    );
    expect(failure).toMatch(/configuration error: KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required when KAFKA_SASL_MECHANISM is set/);
  });

  it('refuses a broker certificate it cannot verify at start, naming the CA setting (no minute of retries)', async () => {
    // The CA left out: Node's public roots do not know the throwaway CA.
    const env = { ...system.env, KAFKA_BROKERS: broker.brokers.join(','), KAFKA_SSL_CA_FILE: undefined };
    const failure = await startApp('matcher', { env }).then(
      async (p) => {
        await p.stop('SIGKILL');
        return 'started';
      },
      (e: Error) => e.message,
    );
    expect(failure).toMatch(/exited \(1\) during start/);
    expect(failure).toMatch(/the TLS certificate of the Kafka broker 127\.0\.0\.1:\d+ was refused \([^)]+\): check KAFKA_SSL_CA_FILE \/ KAFKA_SSL_CA/);
    expect(failure).not.toContain(sasl.password);
  });
});
