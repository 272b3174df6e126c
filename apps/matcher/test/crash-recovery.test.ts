import { deliveryId } from '@hookstream/schemas';
import { countRowsWhere } from '@hookstream/store/testing';
import { startApp, waitFor } from '@hookstream/test-kit';
import { createTenant, createWebhook, entityRequest } from './helpers/seed.js';
import { event, jobs, startPipeline, waitForSubscriptions, type Pipeline } from './helpers/pipeline.js';

const EVENTS = 4000;

describe('a matcher killed mid-batch (SIGKILL) and restarted', () => {
  let p: Pipeline;
  beforeAll(async () => {
    // Small slices: many commits, so the kill lands between produced-but-uncommitted work.
    p = await startPipeline({ MATCHER_CHUNK_SIZE: '20' });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('loses no job; duplicates carry the same delivery id', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const hooks = [await createWebhook(db, tenant, entityRequest('user_session')), await createWebhook(db, tenant, entityRequest('user_session'))];
    await waitForSubscriptions(p);

    const events = Array.from({ length: EVENTS }, (_, i) => event(tenant, 'jive:user_session_login', undefined, { subject: `user-${i % 50}` }));
    for (let i = 0; i < events.length; i += 500) {
      await p.kafka.publish(
        p.kafka.topics.events,
        events.slice(i, i + 500).map((e) => ({ key: `${tenant}:${e.subject}`, value: JSON.stringify(e) })),
      );
    }

    await waitFor(() => jobs(p).length > 0, { intervalMs: 5, what: 'the first job' });
    p.matcher.child.kill('SIGKILL');
    expect(await p.matcher.exited).toBe('SIGKILL');
    const seenAtKill = jobs(p).length;
    const committed = await p.kafka.admin.fetchOffsets({ groupId: `${p.kafka.prefix}matcher`, topics: [p.kafka.topics.events] });
    const committedTotal = committed[0]!.partitions.reduce((n, x) => n + Math.max(0, Number(x.offset)), 0);
    // The kill interrupted the work: some events were not committed yet.
    expect(committedTotal).toBeLessThan(EVENTS);

    p.matcher = await startApp('matcher', { env: p.env });
    const expected = new Set(events.flatMap((e) => hooks.map((h) => `${e.id}|${h}`)));
    await waitFor(
      () => {
        const have = new Set(jobs(p).map((j) => `${j.event_id}|${j.webhook_id}`));
        return have.size === expected.size;
      },
      { timeoutMs: 60_000, what: `${expected.size} distinct jobs` },
    );
    const all = jobs(p);
    const pairs = new Map<string, Set<string>>();
    for (const j of all) {
      const k = `${j.event_id}|${j.webhook_id}`;
      expect(expected.has(k)).toBe(true);
      expect(j.delivery_id).toBe(deliveryId(j.event_id, j.webhook_id));
      if (!pairs.has(k)) pairs.set(k, new Set());
      pairs.get(k)!.add(j.delivery_id);
    }
    expect(pairs.size).toBe(expected.size);
    for (const ids of pairs.values()) expect(ids.size).toBe(1);
    expect(await countRowsWhere(db, 'events', { tenant_id: tenant })).toBe(EVENTS);
    console.log(
      `SIGKILL after ${seenAtKill} jobs seen, ${committedTotal}/${EVENTS} events committed; ${all.length - expected.size} duplicate job(s) after restart`,
    );
  });
});
