import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDeadLetter, createDeliveryJob, encodeDeadLetterRecord, fixtures, type DeliveryJob } from '@hookstream/schemas';
import { SecretBox, SecretKeyRing } from '@hookstream/service-kit';
import { createTenant, getTenantSecret, loadWebhook, openWebhookSecrets, putTenantSecret, sealWebhookSecrets } from '@hookstream/store';
import { insertAttemptRows, insertDeliveryRows, insertWebhookRow } from '@hookstream/store/testing';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '@hookstream/test-kit';

const bin = fileURLToPath(new URL('../bin/hookstream.js', import.meta.url));

describe('operator CLI against the real broker and PostgreSQL', () => {
  let pg: TestDatabase;
  let kafka: TestKafka;
  const cliWith = (vars: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], {
      env: { ...process.env, NODE_OPTIONS: '', KAFKA_TOPIC_PREFIX: kafka.prefix, DATABASE_URL: pg.url, ...vars },
      encoding: 'utf8',
      timeout: 60_000,
    });
  const cli = (...args: string[]) => cliWith({}, ...args);
  const webhookA = randomUUID();
  const webhookB = randomUUID();
  const job = (webhook: string): DeliveryJob =>
    createDeliveryJob({
      event_id: randomUUID(),
      tenant_id: randomUUID(),
      webhook_id: webhook,
      event_type: 'user-followed',
      body: fixtures.deliveredBody('user-followed'),
    });

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka({ partitions: 1 })]);
    const letters = [job(webhookA), job(webhookA), job(webhookB)].map((j) =>
      createDeadLetter({ ...j, attempt: 3 }, 'retries_exhausted', [{ attempt: 1, at: new Date().toISOString(), duration_ms: 12, status_code: 503 }]),
    );
    // The last one raw on purpose: an unreadable record the listing must report.
    await kafka.publish(kafka.topics.deliveriesDlq, [...letters.map((l) => encodeDeadLetterRecord(l)), { value: 'not json' }]);
  });
  afterAll(async () => {
    await Promise.all([pg.drop(), kafka.close()]);
  });

  it('lists dead letters, filtered by webhook, and reports unreadable records', () => {
    const all = cli('dlq', 'list', '--json');
    expect(all.status).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(3);
    expect(all.stderr).toContain('1 record(s) on the topic are not readable dead letters');
    const one = cli('dlq', 'list', '--webhook', webhookB, '--json');
    expect(
      one.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).webhook_id),
    ).toEqual([webhookB]);
  });

  it('replays dead letters of one webhook back into delivery as a new cycle', async () => {
    const deliveries = await kafka.consume(kafka.topics.deliveries);
    const r = cli('dlq', 'replay', '--webhook', webhookA);
    expect(r.stdout).toContain('replayed 2 dead letter(s)');
    await deliveries.waitFor(2);
    const jobs = deliveries.json<DeliveryJob>();
    expect(jobs.every((j) => j.webhook_id === webhookA && j.attempt === 1 && j.cycle === 1 && j.previous_attempts === undefined)).toBe(true);
    expect(deliveries.messages.map((m) => m.key?.toString())).toEqual([webhookA, webhookA]);
  });

  it("re-delivers a webhook's recorded deliveries since a time, and lists buggy webhooks", async () => {
    const { id: tenantId } = await createTenant(pg.db, 't', { api_key_hash: randomUUID(), api_key_hint: 'x' });
    const webhookId = await insertWebhookRow(pg.db, {
      tenant_id: tenantId,
      kind: 'notification',
      buggy: true,
      marked_buggy_at: new Date(),
      spec: '{}',
      fingerprint: 'f',
      consecutive_failures: 5,
    });
    const old = new Date(Date.now() - 3 * 86_400_000);
    const rows = ['skipped', 'discarded', 'delivered'].map((status, i) => ({
      id: randomUUID(),
      tenant_id: tenantId,
      event_id: `ev${i}`,
      webhook_id: webhookId,
      event_type: 'user-followed',
      status,
      body: JSON.stringify({ n: i }),
      created_at: i === 2 ? old : new Date(),
    }));
    await insertDeliveryRows(pg.db, rows);
    await insertAttemptRows(pg.db, {
      delivery_id: rows[1]!.id,
      tenant_id: tenantId,
      webhook_id: webhookId,
      cycle: 2,
      attempt: 1,
      started_at: new Date(),
      duration_ms: 1,
      outcome: 'failed',
    });

    const buggy = cli('buggy', '--json');
    expect(
      buggy.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([webhookId]);

    const deliveries = await kafka.consume(kafka.topics.deliveries);
    const before = deliveries.messages.length;
    const r = cli('replay', '--webhook', webhookId, '--since', '1d', '--status', 'skipped,discarded');
    expect(r.stdout).toContain('replayed 2 deliveries');
    await deliveries.waitFor(before + 2);
    const replayed = deliveries.json<DeliveryJob>().filter((j) => j.webhook_id === webhookId);
    expect(replayed.map((j) => [j.event_id, j.cycle]).sort()).toEqual([
      ['ev0', 1],
      ['ev1', 3],
    ]);
  });

  it('enable re-enables a buggy webhook and replays, in publication order, only what it skipped while buggy (#17.4)', async () => {
    const { id: tenantId } = await createTenant(pg.db, 't-enable', { api_key_hash: randomUUID(), api_key_hint: 'x' });
    const markedAt = new Date(Date.now() - 60_000);
    const webhookId = await insertWebhookRow(pg.db, {
      tenant_id: tenantId,
      kind: 'notification',
      buggy: true,
      marked_buggy_at: markedAt,
      spec: '{}',
      fingerprint: 'f-enable',
      consecutive_failures: 5,
    });
    const row = (n: number, extra: Record<string, unknown> = {}) => ({
      id: randomUUID(),
      tenant_id: tenantId,
      event_id: `held-${n}`,
      webhook_id: webhookId,
      event_type: 'user-followed',
      status: 'skipped',
      last_error: 'webhook is marked buggy: not sent (kept for replay)',
      body: JSON.stringify({ n }),
      ...extra,
    });
    // One statement, as the matcher records a slice: the rows share created_at, their order is the publication order.
    const held = [0, 1, 2, 3, 4].map((n) => row(n));
    await insertDeliveryRows(pg.db, held);
    await insertDeliveryRows(pg.db, [
      row(90, { last_error: 'webhook is disabled' }),
      row(91, { created_at: new Date(markedAt.getTime() - 3_600_000), updated_at: new Date(markedAt.getTime() - 3_600_000) }),
    ]);

    const deliveries = await kafka.consume(kafka.topics.deliveries);
    const events = await kafka.consume(kafka.topics.events);
    const r = cli('enable', webhookId, '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ webhook_id: webhookId, changed: true, was_buggy: true, recovered_deliveries: 5 });
    await deliveries.waitFor(5);
    const mine = deliveries.messages.filter((m) => m.key?.toString() === webhookId);
    expect(mine.map((m) => (JSON.parse(m.value!.toString()) as DeliveryJob).event_id)).toEqual(held.map((h) => h.event_id));
    expect(mine.map((m) => (JSON.parse(m.value!.toString()) as DeliveryJob).delivery_id)).toEqual(held.map((h) => h.id));
    expect(mine.every((m) => m.headers?.['hookstream-replay']?.toString() === 'recovery')).toBe(true);
    await events.waitFor(1);
    expect(events.json<{ type: string; subject: string }>().find((e) => e.subject === webhookId)?.type).toBe('jive:webhook_marked_not_buggy');
    expect((await loadWebhook(pg.db, webhookId))!.buggy).toBe(false);
    // The skip stays in each delivery's history with its reason.
    const kept = await pg.db('delivery_attempts').where({ delivery_id: held[0]!.id }).first();
    expect(kept).toMatchObject({ outcome: 'skipped', error_class: 'recovered', error_message: held[0]!.last_error, attempt: 0 });

    // Already enabled: nothing changes, nothing is replayed.
    expect(JSON.parse(cli('enable', webhookId, '--json').stdout)).toMatchObject({ changed: false, recovered_deliveries: 0 });
    expect(cli('enable', 'not-a-uuid').stderr).toContain('enable needs a webhook id');
  });

  it('enable --no-recover re-enables a buggy webhook without replaying what it skipped (#17.4)', async () => {
    const { id: tenantId } = await createTenant(pg.db, 't-norecover', { api_key_hash: randomUUID(), api_key_hint: 'x' });
    const webhookId = await insertWebhookRow(pg.db, {
      tenant_id: tenantId,
      kind: 'notification',
      buggy: true,
      marked_buggy_at: new Date(Date.now() - 60_000),
      spec: '{}',
      fingerprint: 'f-norecover',
      consecutive_failures: 5,
    });
    await insertDeliveryRows(pg.db, {
      id: randomUUID(),
      tenant_id: tenantId,
      event_id: 'held',
      webhook_id: webhookId,
      event_type: 'user-followed',
      status: 'skipped',
      last_error: 'webhook is marked buggy',
      body: '{}',
    });
    const r = cli('enable', webhookId, '--no-recover', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ changed: true, was_buggy: true, recovered_deliveries: 0 });
    expect((await pg.db('deliveries').where({ webhook_id: webhookId }).first())!.status).toBe('skipped');
  });

  it('fails with a usage message on a bad command or option', () => {
    const r = cli('dlq', 'replay');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('dlq replay needs --all or --webhook ID');
    expect(cli('replay', '--webhook', 'x', '--since', 'yesterday').stderr).toContain('--since must be an ISO date-time or an age');
  });

  it('reseals every sealed secret under the first key of HOOKSTREAM_SECRET_KEYS, resumably, printing counts and no secret (#16.8)', async () => {
    const A = randomBytes(32).toString('base64');
    const B = randomBytes(32).toString('base64');
    const legacy = new SecretBox(A); // what HOOKSTREAM_SECRET_KEY sealed
    const { id: tenantId } = await createTenant(pg.db, 'keys', { api_key_hash: randomUUID(), api_key_hint: 'x' });
    const plain: string[] = [];
    const hooks: { id: string; token: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      const token = `hook-token-${i}-${randomUUID()}`;
      await insertWebhookRow(pg.db, {
        id,
        tenant_id: tenantId,
        kind: 'notification',
        spec: '{}',
        fingerprint: `reseal-${i}`,
        secrets_enc: sealWebhookSecrets(legacy, id, { token }),
      });
      hooks.push({ id, token });
      plain.push(token);
    }
    for (const name of ['one', 'two']) {
      await putTenantSecret(pg.db, legacy, tenantId, name, `store-value-${name}-${randomUUID()}`);
      plain.push((await getTenantSecret(pg.db, legacy, tenantId, name))!);
    }
    const ring = { HOOKSTREAM_SECRET_KEYS: `b:${B},v1:${A}`, HOOKSTREAM_SECRET_KEY: '' };
    const leaks = (text: string) => [...plain, A, B].filter((s) => text.includes(s) || text.includes(s.slice(0, 16)));

    const broken = cliWith({ HOOKSTREAM_SECRET_KEYS: `b:${B},a:${A.slice(0, 20)}`, HOOKSTREAM_SECRET_KEY: '' }, 'secrets', 'reseal');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('configuration error: HOOKSTREAM_SECRET_KEYS entry 2 (id a): the key must be 32 random bytes');
    expect(leaks(broken.stderr + broken.stdout)).toEqual([]);

    const run = cliWith(ring, 'secrets', 'reseal', '--batch', '2', '--json');
    expect(run.status).toBe(0);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { table: 'webhooks', resealed: 3, already_current: 0, failed: 0, key_id: 'b' },
      { table: 'tenant_secrets', resealed: 2, already_current: 0, failed: 0, key_id: 'b' },
    ]);
    expect(run.stderr).toContain('webhooks: 2 resealed');
    expect(leaks(run.stderr + run.stdout)).toEqual([]);

    const again = cliWith(ring, 'secrets', 'reseal');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/webhooks\s+0\s+3\s+0\s+b/);

    // The old key can leave the ring: B alone opens everything, to the same plaintext.
    const onlyB = new SecretBox(SecretKeyRing.parse(`b:${B}`));
    for (const h of hooks) expect(openWebhookSecrets(onlyB, h.id, (await loadWebhook(pg.db, h.id))!.secretsEnc)).toEqual({ token: h.token });
    expect([await getTenantSecret(pg.db, onlyB, tenantId, 'one'), await getTenantSecret(pg.db, onlyB, tenantId, 'two')]).toEqual(plain.slice(3));
  });
});
