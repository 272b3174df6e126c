import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, startReceiver, waitFor, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { countDeliveries, type FaultCount } from './support/counting.js';
import { recordResults } from './support/results.js';
import { event, newTenant, notificationWebhook, startReliabilitySystem } from './support/system.js';

const run = promisify(execFile);

describe('a receiver down for longer than the retry window', () => {
  let system: TestSystem;
  let receiver: Receiver;
  const faults: FaultCount[] = [];

  beforeAll(async () => {
    // Buggy marking would stop the remaining jobs as "skipped" before they exhaust their retries;
    // this test is about the dead-letter path, so it is set out of reach.
    [system, receiver] = await Promise.all([startReliabilitySystem({ env: { BUGGY_AFTER_DISCARDS: '10000' } }), startReceiver()]);
  });
  afterAll(async () => {
    recordResults({ faults });
    await system?.stop();
    await receiver?.close();
  });

  it('dead-letters every delivery, and a replay after recovery delivers every one (audited as cycle 1)', async () => {
    const tenant = await newTenant(system, 'dlq');
    receiver.behave('/down', { status: 503 });
    const webhook = await tenant.api.createWebhook(notificationWebhook(receiver, '/down', ['user-mentioned'], { retry_base: 1, retry_max_count: 2 }));
    const dlq = await system.kafka.consume(system.kafka.topics.deliveriesDlq);
    // The matcher learns of the webhook asynchronously: wait until a first event reaches it (answered 503).
    const accepted: string[] = [];
    await waitFor(
      async () => {
        const probe = event('user-mentioned', tenant.id);
        await tenant.api.publish(probe);
        accepted.push(probe.id);
        return waitFor(() => receiver.at('/down').length > 0, { timeoutMs: 3000 }).catch(() => false);
      },
      { timeoutMs: 30_000, what: 'the webhook to be matched' },
    );
    const events = Array.from({ length: 30 }, () => event('user-mentioned', tenant.id));
    await tenant.api.publishBatch(events);
    accepted.push(...events.map((e) => e.id));

    // Only the probes that reached the webhook count; earlier ones matched nothing.
    const matched = () => new Set(receiver.at('/down').map((r) => (r.body as { event_id: string }).event_id));
    await waitFor(() => events.every((e) => matched().has(e.id)), { timeoutMs: 30_000, what: 'first attempts' });
    const counted = accepted.filter((id) => matched().has(id));
    const letters = await dlq.waitFor(counted.length, 60_000);
    const dead = dlq.json<{ reason: string; job: { delivery_id: string; webhook_id: string }; attempts: unknown[] }>();
    expect(letters).toHaveLength(counted.length);
    expect(new Set(dead.map((d) => d.job.delivery_id)).size).toBe(counted.length);
    expect(dead.every((d) => d.reason === 'retries_exhausted' && d.job.webhook_id === webhook.id && d.attempts.length === 3)).toBe(true);
    // 1 attempt + 2 retries each, all refused.
    expect(receiver.at('/down').filter((r) => counted.includes((r.body as { event_id: string }).event_id))).toHaveLength(counted.length * 3);
    expect(receiver.uniqueIds('/down').size).toBe(0);

    // The receiver comes back; an operator replays the webhook's dead letters.
    receiver.behave('/down', { status: 200 });
    const env = {
      ...process.env,
      KAFKA_BROKERS: system.env.KAFKA_BROKERS ?? process.env.KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: system.kafka.prefix,
      DATABASE_URL: system.pg.url,
      LOG_LEVEL: 'error',
      NODE_OPTIONS: '',
    };
    const out = await run(process.execPath, [path.join(repoRoot(), 'apps/cli/bin/hookstream.js'), 'dlq', 'replay', '--webhook', webhook.id], { env });
    expect(out.stdout).toContain(`replayed ${counted.length} dead letter(s)`);

    await receiver.waitForUnique(counted.length, { path: '/down', timeoutMs: 60_000 });
    const count = countDeliveries('receiver_down_then_replay', receiver, ['/down'], counted);
    faults.push(count);
    expect(count.lost).toBe(0);
    expect(count.mixedIds).toBe(0);
    // The delivered webhook-ids are the dead-lettered deliveries' ids.
    expect([...receiver.uniqueIds('/down')].sort()).toEqual(dead.map((d) => d.job.delivery_id).sort());

    const audited = await waitFor(
      async () => {
        const rows = await system.pg
          .db('delivery_attempts')
          .where({ webhook_id: webhook.id, cycle: 1 })
          .select('delivery_id', 'attempt', 'outcome', 'status_code');
        return rows.length >= counted.length ? rows : undefined;
      },
      { timeoutMs: 15_000, what: 'cycle-1 attempts in the audit' },
    );
    expect(audited.every((r) => r.attempt === 1 && r.outcome === 'delivered' && r.status_code === 200)).toBe(true);
    const cycle0 = await system.pg.db('delivery_attempts').where({ webhook_id: webhook.id, cycle: 0 }).count<{ n: string }[]>({ n: '*' });
    expect(Number(cycle0[0]!.n)).toBe(counted.length * 3);
    const statuses = await system.pg.db('deliveries').where({ webhook_id: webhook.id }).select('status', 'cycle');
    expect(statuses.every((d) => d.status === 'delivered' && d.cycle === 1)).toBe(true);
  });
});
