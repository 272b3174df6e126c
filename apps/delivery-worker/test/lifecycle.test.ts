import { spawnSync } from 'node:child_process';
import { createTestDatabase, createTestKafka, startApp, type TestDatabase, type TestKafka } from '@hookstream/test-kit';
import { SECRET_KEY } from './support/harness.js';

describe('delivery-worker process lifecycle', () => {
  let pg: TestDatabase;
  let kafka: TestKafka;
  beforeAll(async () => {
    [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka()]);
  });
  afterAll(async () => {
    await Promise.all([pg.drop(), kafka.close()]);
  });

  it('starts, reports ready with Kafka and PostgreSQL reachable, and exits 0 on SIGTERM', async () => {
    const app = await startApp('delivery-worker', {
      env: {
        DATABASE_URL: pg.url,
        KAFKA_TOPIC_PREFIX: kafka.prefix,
        HOOKSTREAM_SECRET_KEY: SECRET_KEY,
        TOPIC_PARTITIONS_DELIVERIES: '2',
        TOPIC_PARTITIONS_RETRY: '2',
      },
    });
    const ready = await fetch(`${app.opsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { kafka: { ok: true }, postgres: { ok: true }, 'webhook-cache': { ok: true }, 'consumer-group': { ok: true } },
    });
    const metrics = await (await fetch(`${app.opsUrl}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total{service="delivery-worker"}');
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(app.output().join('\n')).toContain('"msg":"stopped"');
  });

  it("a worker that dies while starting fails the test kit's start at once, with its last lines (not after the ready timeout)", async () => {
    const started = Date.now();
    await expect(
      startApp('delivery-worker', {
        env: { DATABASE_URL: pg.url, KAFKA_TOPIC_PREFIX: kafka.prefix, HOOKSTREAM_SECRET_KEY: 'too-short' },
        readyTimeoutMs: 60_000,
      }),
    ).rejects.toThrow(/delivery-worker exited \(1\) during start:\n.*HOOKSTREAM_SECRET_KEY must be 32 random bytes/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('stops with one clear line when KAFKA_BROKERS is malformed', () => {
    const r = spawnSync(process.execPath, [new URL('../dist/main.js', import.meta.url).pathname], {
      env: { ...process.env, NODE_OPTIONS: '', KAFKA_BROKERS: 'not a broker list' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^delivery-worker: configuration error: KAFKA_BROKERS must be a comma-separated list of host:port/);
  });

  it.each([
    ['missing', undefined, /^delivery-worker: configuration error: HOOKSTREAM_SECRET_KEY is required: 32 random bytes, base64-encoded/],
    [
      'too short',
      Buffer.alloc(16).toString('base64'),
      /^delivery-worker: configuration error: HOOKSTREAM_SECRET_KEY must be 32 random bytes, base64-encoded .*\(got "<redacted>"\)$/,
    ],
  ])('stops with one clear line when HOOKSTREAM_SECRET_KEY is %s, never echoing it', (_what, key, message) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
    delete env.HOOKSTREAM_SECRET_KEY;
    if (key !== undefined) env.HOOKSTREAM_SECRET_KEY = key;
    const r = spawnSync(process.execPath, [new URL('../dist/main.js', import.meta.url).pathname], { env, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    if (key) expect(r.stderr).not.toContain(key);
  });
});
