import { randomUUID } from 'node:crypto';
import type { DeliveryJob } from '@hookstream/schemas';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import {
  BUGGY_SKIP_REASON_PREFIX,
  insertDeliveriesIfAbsent,
  recoverSkippedDeliveries,
  upsertDeliveries,
  writeAuditBatch,
  type DeliveryRow,
} from '../src/index.js';

describe('recovery of the deliveries a buggy webhook skipped (#17.4)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  const skipped = (tenant: string, webhook: string, n: number, reason = `${BUGGY_SKIP_REASON_PREFIX}: not sent (kept for replay)`): DeliveryRow => ({
    id: randomUUID(),
    tenant_id: tenant,
    event_id: `ev-${n}`,
    webhook_id: webhook,
    event_type: 'user-followed',
    status: 'skipped',
    cycle: 0,
    attempts: 0,
    last_status_code: null,
    last_error: reason,
    next_attempt_at: null,
    body: { n },
    finished_at: new Date(),
  });

  it('pages through them in bounded batches in the order they were recorded, recording each skip as recovered', async () => {
    const tenant = randomUUID();
    const webhook = randomUUID();
    const since = new Date(Date.now() - 1000);
    // The matcher's slice (one statement, one created_at), then the worker's audit batch (upsert).
    const first = [0, 1, 2, 3, 4].map((n) => skipped(tenant, webhook, n));
    const second = [5, 6].map((n) => skipped(tenant, webhook, n));
    await insertDeliveriesIfAbsent(t.db, first);
    await upsertDeliveries(t.db, second);
    await insertDeliveriesIfAbsent(t.db, [skipped(tenant, webhook, 99, 'webhook is disabled'), skipped(tenant, randomUUID(), 98)]);

    const pages: DeliveryJob[][] = [];
    const n = await recoverSkippedDeliveries(
      t.db,
      { tenantId: tenant, webhookId: webhook, since, webhookRevision: 7 },
      async (jobs) => {
        pages.push(jobs);
      },
      2,
    );
    expect(n).toBe(7);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
    const jobs = pages.flat();
    expect(jobs.map((j) => j.event_id)).toEqual([...first, ...second].map((d) => d.event_id));
    expect(jobs.map((j) => j.delivery_id)).toEqual([...first, ...second].map((d) => d.id));
    expect(jobs.every((j) => j.cycle === 1 && j.attempt === 1 && j.webhook_revision === 7)).toBe(true);
    expect(jobs[0]!.body).toEqual({ n: 0 });
    const kept = await t.db('delivery_attempts').where({ delivery_id: first[0]!.id });
    expect(kept).toMatchObject([{ cycle: 0, attempt: 0, outcome: 'skipped', error_class: 'recovered', error_message: first[0]!.last_error }]);
  });

  it('replays in the order the deliveries were matched, whichever process recorded them first and when', async () => {
    // The matcher learnt the webhook was buggy after matching event 0: it sent 0 as a job and
    // recorded 1 and 2 as skipped itself; the worker recorded 0's skip later, in its next audit batch.
    const tenant = randomUUID();
    const webhook = randomUUID();
    const matchedAt = (ms: number) => new Date(Date.now() - 5000 + ms).toISOString();
    const [zero, one, two] = [0, 1, 2].map((n) => ({ ...skipped(tenant, webhook, n), created_at: matchedAt(n) }));
    await insertDeliveriesIfAbsent(t.db, [one!, two!]);
    await writeAuditBatch(t.db, [zero!], []);
    // The worker's write never moves an existing row's time.
    await upsertDeliveries(t.db, [{ ...one!, created_at: matchedAt(10) }]);

    const jobs: DeliveryJob[] = [];
    await recoverSkippedDeliveries(t.db, { tenantId: tenant, webhookId: webhook, since: new Date(0), webhookRevision: 1 }, async (page) => {
      jobs.push(...page);
    });
    expect(jobs.map((j) => j.event_id)).toEqual(['ev-0', 'ev-1', 'ev-2']);
    const stored = await t.db('deliveries').where({ webhook_id: webhook }).orderBy('event_id').select('created_at');
    expect(stored.map((r: { created_at: Date }) => r.created_at.toISOString())).toEqual([zero, one, two].map((d) => d!.created_at));
  });

  it('leaves a page that failed to queue skipped, with no recovered record', async () => {
    const tenant = randomUUID();
    const webhook = randomUUID();
    const rows = [0, 1].map((n) => skipped(tenant, webhook, n));
    await insertDeliveriesIfAbsent(t.db, rows);
    await expect(
      recoverSkippedDeliveries(t.db, { tenantId: tenant, webhookId: webhook, since: new Date(0), webhookRevision: 1 }, () =>
        Promise.reject(new Error('broker down')),
      ),
    ).rejects.toThrow('broker down');
    expect(
      await t.db('delivery_attempts').whereIn(
        'delivery_id',
        rows.map((r) => r.id),
      ),
    ).toEqual([]);
  });

  it('ignores what was skipped before the webhook was marked buggy', async () => {
    const tenant = randomUUID();
    const webhook = randomUUID();
    await insertDeliveriesIfAbsent(t.db, [skipped(tenant, webhook, 0)]);
    const n = await recoverSkippedDeliveries(
      t.db,
      { tenantId: tenant, webhookId: webhook, since: new Date(Date.now() + 60_000), webhookRevision: 1 },
      async () => {},
    );
    expect(n).toBe(0);
  });
});
