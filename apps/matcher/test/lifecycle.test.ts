import { spawnSync } from 'node:child_process';
import { createTestDatabase, createTestKafka, startApp, type TestDatabase, type TestKafka } from '@hookstream/test-kit';

describe('matcher process lifecycle', () => {
  let pg: TestDatabase;
  let kafka: TestKafka;
  beforeAll(async () => {
    [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka()]);
  });
  afterAll(async () => {
    await Promise.all([pg.drop(), kafka.close()]);
  });

  it('starts, reports ready with Kafka and PostgreSQL reachable, and exits 0 on SIGTERM', async () => {
    const app = await startApp('matcher', { env: { DATABASE_URL: pg.url, KAFKA_TOPIC_PREFIX: kafka.prefix } });
    const ready = await fetch(`${app.opsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { kafka: { ok: true }, postgres: { ok: true } } });
    const metrics = await (await fetch(`${app.opsUrl}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total{service="matcher"}');
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(app.output().join('\n')).toContain('"msg":"stopped"');
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
    expect(lines[0]).toMatch(/^matcher: configuration error: KAFKA_BROKERS must be a comma-separated list of host:port/);
  });
});
