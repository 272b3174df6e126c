import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, createTestKafka, startApp, type TestDatabase, type TestKafka } from '@hookstream/test-kit';

describe('gateway process lifecycle', () => {
  let pg: TestDatabase;
  let kafka: TestKafka;
  beforeAll(async () => {
    [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka()]);
  });
  afterAll(async () => {
    await Promise.all([pg.drop(), kafka.close()]);
  });

  it('starts, reports ready with Kafka and PostgreSQL reachable, and exits 0 on SIGTERM', async () => {
    const app = await startApp('gateway', {
      env: { DATABASE_URL: pg.url, KAFKA_TOPIC_PREFIX: kafka.prefix, HOOKSTREAM_SECRET_KEY: randomBytes(32).toString('base64') },
    });
    expect(app.opsPort).not.toBe(app.port);
    expect(await (await fetch(`${app.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${app.opsUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.opsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { kafka: { ok: true }, postgres: { ok: true } } });
    const metrics = await (await fetch(`${app.opsUrl}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total{service="gateway"}');
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(app.output().join('\n')).toContain('"msg":"stopped"');
  });

  it('stops with one clear line when the renamed HEALTH_PORT is still set', () => {
    const r = spawnSync(process.execPath, [new URL('../dist/main.js', import.meta.url).pathname], {
      env: { ...process.env, NODE_OPTIONS: '', HEALTH_PORT: '8081' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('gateway: configuration error: HEALTH_PORT was renamed OPS_PORT; set that instead');
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
    expect(lines[0]).toMatch(/^gateway: configuration error: KAFKA_BROKERS must be a comma-separated list of host:port/);
  });

  it('stops with one clear line, without echoing the value, when HOOKSTREAM_SECRET_KEY is not a 32-byte key', () => {
    const r = spawnSync(process.execPath, [new URL('../dist/main.js', import.meta.url).pathname], {
      env: { ...process.env, NODE_OPTIONS: '', HOOKSTREAM_SECRET_KEY: 'c2hvcnQta2V5LXZhbHVl' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'gateway: configuration error: HOOKSTREAM_SECRET_KEY must be 32 random bytes, base64-encoded (for example: openssl rand -base64 32) (got "<redacted>")',
    );
  });
});
