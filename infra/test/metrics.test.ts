import { randomBytes } from 'node:crypto';
import { createTestDatabase, createTestKafka, startApp, waitFor, type AppProcess, type TestDatabase, type TestKafka } from '@hookstream/test-kit';
import { metricsInUse, observabilityQueries } from './support/observability.js';
import { exposedMetrics, isExported, labelRequirements, sampleLabels } from './support/promql.js';

// The dashboard and the alert rules are only as good as the names they query: every one must be
// exported by a running app, as started in production (compiled entry point, real Kafka and PostgreSQL).
describe('metrics used by the dashboard and the alert rules', () => {
  let pg: TestDatabase;
  let kafka: TestKafka;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka({ partitions: 1 })]);
    const env = {
      DATABASE_URL: pg.url,
      KAFKA_TOPIC_PREFIX: kafka.prefix,
      TOPIC_PARTITIONS_EVENTS: '1',
      TOPIC_PARTITIONS_DELIVERIES: '1',
      TOPIC_PARTITIONS_RETRY: '1',
      TOPIC_PARTITIONS_DLQ: '1',
      HOOKSTREAM_SECRET_KEY: randomBytes(32).toString('base64'),
      HOOKSTREAM_ADMIN_TOKEN: randomBytes(24).toString('hex'),
      // A group of its own: other suites on the same broker run matchers in the default group.
      MATCHER_GROUP_ID: `${kafka.prefix}matcher`,
    };
    apps.push(...(await Promise.all((['gateway', 'matcher', 'delivery-worker'] as const).map((name) => startApp(name, { env })))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop('SIGTERM')));
    await Promise.all([pg?.drop(), kafka?.close()]);
  });

  const scrape = async (app: AppProcess) => {
    const res = await fetch(`${app.opsUrl}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('are each exported on /metrics by at least one app', async () => {
    const exported = new Map<string, Map<string, string>>();
    for (const app of apps) exported.set(app.name, exposedMetrics(await scrape(app)));
    const used = metricsInUse();
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used]
      .filter(([name]) => ![...exported.values()].some((m) => isExported(name, m)))
      .map(([name, where]) => `${name} (${where.join(', ')})`);
    expect(missing).toEqual([]);
    // The app-specific families are exported by their own app, not by accident of a shared registry.
    for (const [name] of used) {
      const owner = /^hookstream_(gateway|matcher|worker)_/.exec(name)?.[1];
      if (!owner) continue;
      const app = owner === 'worker' ? 'delivery-worker' : owner;
      expect(`${name}: ${isExported(name, exported.get(app)!)}`).toBe(`${name}: true`);
    }
    for (const app of ['matcher', 'delivery-worker']) {
      expect(isExported('hookstream_consumer_lag', exported.get(app)!)).toBe(true);
    }
  });

  it('carry the labels the queries select and group by (where the apps already have samples)', async () => {
    // The gateway counts requests on its API port (its scrapes go to the operations port).
    const gateway = apps.find((a) => a.name === 'gateway')!;
    expect((await fetch(`${gateway.baseUrl}/healthz`)).status).toBe(200);
    // Lag is measured every few seconds after a consumer joins: wait for the first samples.
    const texts = new Map<string, string>();
    await waitFor(
      async () => {
        for (const app of apps) texts.set(app.name, await scrape(app));
        return ['matcher', 'delivery-worker'].every((a) => texts.get(a)!.includes('hookstream_consumer_lag{'));
      },
      { timeoutMs: 30_000, what: 'consumer lag samples' },
    );
    const seen = new Map<string, Set<string>>();
    for (const text of texts.values()) {
      for (const [name, labels] of sampleLabels(text)) seen.set(name, new Set([...(seen.get(name) ?? []), ...labels]));
    }
    const wrong: string[] = [];
    const checked = new Set<string>();
    for (const { where, expr } of observabilityQueries()) {
      for (const { metric, label } of labelRequirements(expr)) {
        const labels = seen.get(metric);
        if (!labels) continue; // no sample yet (a counter nobody incremented): only its name can be checked
        checked.add(`${metric}.${label}`);
        if (!labels.has(label)) wrong.push(`${where}: ${metric} has no label "${label}" (it has ${[...labels].join(', ') || 'none'})`);
      }
    }
    expect(wrong).toEqual([]);
    for (const must of [
      'hookstream_consumer_lag.group',
      'hookstream_consumer_lag.topic',
      'hookstream_consumer_lag.partition',
      'hookstream_gateway_http_requests_total.status',
    ]) {
      expect(checked).toContain(must);
    }
  });
});
