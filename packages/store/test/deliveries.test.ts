import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import {
  deliveriesForReplay,
  insertAttempts,
  insertDeliveriesIfAbsent,
  isRejectedRowError,
  statusRankSql,
  STATUS_RANK,
  upsertDeliveries,
  writeAuditBatch,
  type AttemptRow,
  type DeliveryRow,
} from '../src/index.js';

const delivery = (over: Partial<DeliveryRow> = {}): DeliveryRow => ({
  id: randomUUID(),
  tenant_id: randomUUID(),
  event_id: `evt-${randomUUID()}`,
  webhook_id: randomUUID(),
  event_type: 'user-followed',
  status: 'pending',
  cycle: 0,
  attempts: 0,
  last_status_code: null,
  last_error: null,
  next_attempt_at: null,
  body: { hello: 'world' },
  finished_at: null,
  ...over,
});

const attempt = (d: DeliveryRow, n: number, over: Partial<AttemptRow> = {}): AttemptRow => ({
  delivery_id: d.id,
  tenant_id: d.tenant_id,
  webhook_id: d.webhook_id,
  cycle: d.cycle,
  attempt: n,
  started_at: new Date(),
  duration_ms: 12,
  outcome: 'http_error',
  status_code: 503,
  error_class: 'http_5xx',
  error_message: 'unavailable',
  response_excerpt: null,
  ...over,
});

describe('deliveries and attempts', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  const stored = (id: string) => t.db('deliveries').where({ id }).first();

  it('ranks every status in SQL exactly as STATUS_RANK does', async () => {
    const statuses = Object.keys(STATUS_RANK);
    const { rows } = await t.db.raw<{ rows: { s: string; rank: number }[] }>(`SELECT s, ${statusRankSql('s')} AS rank FROM unnest(?::text[]) AS s`, [statuses]);
    expect(Object.fromEntries(rows.map((r) => [r.s, r.rank]))).toEqual(STATUS_RANK);
  });

  it('writes a batch of states and attempts together, and attempts only once', async () => {
    const d = delivery({ status: 'retrying', attempts: 1, last_status_code: 503 });
    await writeAuditBatch(t.db, [d], [attempt(d, 1)]);
    await writeAuditBatch(t.db, [], [attempt(d, 1, { status_code: 500 })]);
    expect(await stored(d.id)).toMatchObject({ status: 'retrying', attempts: 1, last_status_code: 503, body: { hello: 'world' } });
    const attempts = await t.db('delivery_attempts').where({ delivery_id: d.id }).select('attempt', 'status_code');
    expect(attempts).toEqual([{ attempt: 1, status_code: 503 }]);
  });

  it('never moves a delivery back to an older state', async () => {
    const d = delivery();
    await upsertDeliveries(t.db, [d]);
    await upsertDeliveries(t.db, [{ ...d, status: 'delivered', attempts: 1, last_status_code: 200, finished_at: new Date() }]);
    // A late duplicate of the first attempt's outcome, and an older cycle's state.
    await upsertDeliveries(t.db, [{ ...d, status: 'retrying', attempts: 1, last_status_code: 503 }]);
    await upsertDeliveries(t.db, [{ ...d, status: 'pending', attempts: 0 }]);
    expect(await stored(d.id)).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    // A replay (next cycle) starts over.
    await upsertDeliveries(t.db, [{ ...d, cycle: 1, status: 'pending', attempts: 0, last_status_code: null, finished_at: null }]);
    expect(await stored(d.id)).toMatchObject({ status: 'pending', cycle: 1, attempts: 0, last_status_code: null });
  });

  it('keeps an existing delivery when the same one is inserted as skipped', async () => {
    const d = delivery({ status: 'delivered', attempts: 1 });
    await upsertDeliveries(t.db, [d]);
    const fresh = delivery({ status: 'skipped', last_error: 'webhook is marked buggy' });
    await insertDeliveriesIfAbsent(t.db, [{ ...d, status: 'skipped' }, fresh]);
    expect((await stored(d.id)).status).toBe('delivered');
    expect(await stored(fresh.id)).toMatchObject({ status: 'skipped', last_error: 'webhook is marked buggy' });
  });

  it('tells a row PostgreSQL rejects from a failure worth retrying', async () => {
    const bad = delivery({ event_type: null as unknown as string });
    const err = await upsertDeliveries(t.db, [bad]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(isRejectedRowError(err)).toBe(true);
    expect(isRejectedRowError(Object.assign(new Error('connection terminated'), { code: '57P01' }))).toBe(false);
    expect(isRejectedRowError(new Error('no code'))).toBe(false);
  });

  it('selects a webhook deliveries to replay, with the last cycle their attempts reached', async () => {
    const webhook = randomUUID();
    const old = delivery({ webhook_id: webhook, status: 'delivered' });
    const failed = delivery({ webhook_id: webhook, status: 'discarded', attempts: 2 });
    const done = delivery({ webhook_id: webhook, status: 'delivered', cycle: 2 });
    const other = delivery({ status: 'discarded' });
    await upsertDeliveries(t.db, [old, failed, done, other]);
    await t
      .db('deliveries')
      .where({ id: old.id })
      .update({ created_at: new Date(Date.now() - 86_400_000) });
    await insertAttempts(t.db, [attempt(failed, 1), attempt(failed, 2), attempt(done, 1, { cycle: 2 })]);
    const since = new Date(Date.now() - 3_600_000);

    const all = await deliveriesForReplay(t.db, webhook, since);
    expect(all.map((r) => r.id).sort()).toEqual([failed.id, done.id].sort());
    expect(all.find((r) => r.id === failed.id)).toMatchObject({ cycle: 0, event_id: failed.event_id, tenant_id: failed.tenant_id, body: { hello: 'world' } });
    expect(all.find((r) => r.id === done.id)!.cycle).toBe(2);

    const onlyDiscarded = await deliveriesForReplay(t.db, webhook, since, ['discarded']);
    expect(onlyDiscarded.map((r) => r.id)).toEqual([failed.id]);
    expect(await deliveriesForReplay(t.db, webhook, new Date(Date.now() - 2 * 86_400_000), ['delivered'])).toHaveLength(2);
  });

  it('lists a delivery without attempts with a null cycle', async () => {
    const d = delivery();
    await upsertDeliveries(t.db, [d]);
    const [row] = await deliveriesForReplay(t.db, d.webhook_id, new Date(Date.now() - 60_000));
    expect(row).toMatchObject({ id: d.id, cycle: null });
  });
});
