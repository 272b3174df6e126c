import { randomUUID } from 'node:crypto';
import { createDeliveryJob, decodeDeliveryJobRecord, encodeDeliveryJobRecord } from '@hookstream/schemas';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import {
  deliveriesForReplay,
  deliveryRowOf,
  deliveryRowsDocuments,
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
import { rowsDocument } from '../src/rows-document.js';

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

/** The rows of deliveryRowsDocuments with their bodies put back, as PostgreSQL reads them. */
const spread = (documents: { rows: string; bodies: string }) => {
  const bodies = JSON.parse(documents.bodies) as unknown[];
  return (JSON.parse(documents.rows) as { body_at?: number }[]).map(({ body_at, ...row }) => ({
    ...row,
    body: body_at === undefined ? null : bodies[body_at],
  }));
};

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

  it("stores a body decoded from a job record from the record's text, as it stores any other body", async () => {
    const body = { text: 'line\n"quoted" \u2028 é', nested: { list: [1, 2.5, null, true], '': {} } };
    const record = encodeDeliveryJobRecord(
      createDeliveryJob({ event_id: `evt-${randomUUID()}`, tenant_id: randomUUID(), webhook_id: randomUUID(), event_type: 'user-followed', body }),
    );
    const decoded = decodeDeliveryJobRecord({ value: Buffer.from(JSON.stringify(JSON.parse(record.value), null, 2)), headers: record.headers });
    if (!decoded.ok) throw new Error('the record did not decode');
    const fromRecord = { ...deliveryRowOf(decoded.record, 'delivered'), attempts: 1, finished_at: new Date() };
    const plain = delivery({ body: { ...body } });
    const documents = deliveryRowsDocuments([fromRecord, plain]);
    // The record's own (indented) text, not a serialisation of the parsed body.
    expect(documents.bodies).toContain('\n');
    expect(spread(documents)).toEqual(JSON.parse(rowsDocument([fromRecord, plain])));
    await upsertDeliveries(t.db, [fromRecord, plain]);
    expect((await stored(fromRecord.id)).body).toEqual(body);
    expect((await stored(plain.id)).body).toEqual(body);
  });

  it('sends a body shared by rows once, and stores it in each of them; a row without a body stores none', async () => {
    const shared = { event: 'e', list: [1, { deep: 'x' }] };
    const rows = [
      delivery({ body: shared }),
      delivery({ body: { other: true } }),
      delivery({ body: shared }),
      delivery({ body: null as unknown as DeliveryRow['body'] }),
    ];
    const documents = deliveryRowsDocuments(rows);
    expect(JSON.parse(documents.bodies)).toEqual([shared, { other: true }]);
    expect((JSON.parse(documents.rows) as { body_at?: number }[]).map((r) => r.body_at)).toEqual([0, 1, 0, undefined]);
    expect(spread(documents)).toEqual(JSON.parse(rowsDocument(rows)));
    await upsertDeliveries(t.db, rows);
    expect((await stored(rows[0]!.id)).body).toEqual(shared);
    expect((await stored(rows[1]!.id)).body).toEqual({ other: true });
    expect((await stored(rows[2]!.id)).body).toEqual(shared);
    expect((await stored(rows[3]!.id)).body).toBeNull();
    // An update carries its own body too (a retry keeps the body it sends).
    await upsertDeliveries(t.db, [{ ...rows[2]!, status: 'delivered', attempts: 1, body: { changed: 1 } }]);
    expect((await stored(rows[2]!.id)).body).toEqual({ changed: 1 });
    expect((await stored(rows[0]!.id)).body).toEqual(shared);
  });

  it('writes a batch of states and attempts together, and attempts only once', async () => {
    const d = delivery({ status: 'retrying', attempts: 1, last_status_code: 503 });
    await writeAuditBatch(t.db, [d], [attempt(d, 1)]);
    await writeAuditBatch(t.db, [], [attempt(d, 1, { status_code: 500 })]);
    expect(await stored(d.id)).toMatchObject({ status: 'retrying', attempts: 1, last_status_code: 503, body: { hello: 'world' } });
    const attempts = await t.db('delivery_attempts').where({ delivery_id: d.id }).select('attempt', 'status_code');
    expect(attempts).toEqual([{ attempt: 1, status_code: 503 }]);
  });

  it('writes a batch whole or not at all: an attempt PostgreSQL rejects leaves none of its states either', async () => {
    const d = delivery({ status: 'retrying', attempts: 1, last_status_code: 503 });
    await writeAuditBatch(t.db, [d], [attempt(d, 1)]);
    // The next flush advances d and records a new delivery, but one attempt holds a NUL (text refuses it).
    const fresh = delivery({ status: 'delivered', attempts: 1, last_status_code: 200 });
    const advanced = { ...d, status: 'delivered' as const, attempts: 2, last_status_code: 200, finished_at: new Date() };
    const err = await writeAuditBatch(
      t.db,
      [advanced, fresh],
      [attempt(d, 2, { outcome: 'delivered', status_code: 200 }), attempt(fresh, 1, { error_message: 'a\u0000b' })],
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRejectedRowError(err)).toBe(true);
    expect(await stored(d.id)).toMatchObject({ status: 'retrying', attempts: 1, last_status_code: 503 });
    expect(await stored(fresh.id)).toBeUndefined();
    expect(await t.db('delivery_attempts').whereIn('delivery_id', [d.id, fresh.id]).pluck('attempt')).toEqual([1]);
    // The same batch without the bad text goes in whole: the update, the insert and both attempts.
    await writeAuditBatch(t.db, [advanced, fresh], [attempt(d, 2, { outcome: 'delivered', status_code: 200 }), attempt(fresh, 1)]);
    expect(await stored(d.id)).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200 });
    expect(await stored(fresh.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await t.db('delivery_attempts').where({ delivery_id: d.id }).orderBy('attempt').pluck('attempt')).toEqual([1, 2]);
  });

  it('stores every column of a batch as given: times to the millisecond, quotes, backslashes and non-ASCII text, absent optional columns as NULL', async () => {
    const at = new Date('2026-12-05T23:01:02.345Z');
    const text = 'say "hi" \\ back\\slash, {braces}, comma, naïve ☃ 𝄞';
    const body = { 'quote"key': text, nested: [1, 2.5, null, true, { deep: 'x' }], empty: {} };
    const d = delivery({ status: 'retrying', attempts: 1, last_status_code: 503, last_error: text, next_attempt_at: at, body, finished_at: null });
    const e = delivery({ status: 'delivered', attempts: 1, last_status_code: 200, finished_at: at });
    const headers = { 'content-type': 'application/json', 'x-odd': text, authorization: '[redacted]' };
    await writeAuditBatch(
      t.db,
      [d, e],
      [
        attempt(d, 1, { started_at: at, response_excerpt: text, error_message: text, retry_after_ms: 2500, request_headers: headers }),
        attempt(e, 1, {
          outcome: 'delivered',
          status_code: 200,
          error_class: null,
          error_message: null,
          retry_after_ms: undefined,
          request_headers: undefined,
        }),
      ],
    );
    expect(await stored(d.id)).toMatchObject({ last_error: text, next_attempt_at: at, body, finished_at: null, event_type: d.event_type, cycle: 0 });
    expect(await stored(e.id)).toMatchObject({ finished_at: at, next_attempt_at: null, last_error: null, body: { hello: 'world' } });
    const [a] = await t.db('delivery_attempts').where({ delivery_id: d.id });
    expect(a).toMatchObject({ started_at: at, response_excerpt: text, error_message: text, retry_after_ms: 2500, request_headers: headers, duration_ms: 12 });
    const [b] = await t.db('delivery_attempts').where({ delivery_id: e.id });
    expect(b).toMatchObject({ outcome: 'delivered', status_code: 200, error_class: null, error_message: null, retry_after_ms: null, request_headers: null });
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
    // A NUL character in a body (JSON text accepts it, PostgreSQL's jsonb does not) is rejected the same way.
    const nul = delivery({ body: { text: 'a\u0000b' } });
    const nulErr = await writeAuditBatch(t.db, [nul], [attempt(nul, 1)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRejectedRowError(nulErr)).toBe(true);
    expect(await stored(nul.id)).toBeUndefined();
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

  it("lists a delivery without attempts with its row's cycle (a replay of it is the next cycle, not cycle 1 again)", async () => {
    const d = delivery();
    const unsent = { ...delivery(), cycle: 2 };
    await upsertDeliveries(t.db, [d, unsent]);
    const rows = await deliveriesForReplay(t.db, d.webhook_id, new Date(Date.now() - 60_000));
    expect(rows.find((r) => r.id === d.id)).toMatchObject({ cycle: 0 });
    // Dead-lettered in cycle 2 without an attempt (a job that could not be sent): its replay must be cycle 3.
    const [again] = await deliveriesForReplay(t.db, unsent.webhook_id, new Date(Date.now() - 60_000), undefined, { deliveryId: unsent.id });
    expect(again).toMatchObject({ id: unsent.id, cycle: 2 });
  });
});
