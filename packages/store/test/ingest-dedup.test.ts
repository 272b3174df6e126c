import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import {
  claimIngestedEvents,
  confirmIngestedEvents,
  DEDUP_STATEMENTS,
  ingestedEventAcceptedAt,
  pruneIngestedEvents,
  releaseIngestedEvents,
} from '../src/index.js';

describe('ingest dedup (ingested_events)', () => {
  let t: TestDatabase;
  const window = 3600;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('claims new ids with the webhook change counter, re-claims pending ones, and refuses confirmed ones', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const first = await claimIngestedEvents(t.db, [a, a, b], ['e1', 'e2', 'e1'], window);
    expect(first.claimed.map((r) => `${r.tenant_id}/${r.event_id}`).sort()).toEqual([`${a}/e1`, `${a}/e2`, `${b}/e1`].sort());
    expect(first.webhookSeq).toBe(0);
    expect(await ingestedEventAcceptedAt(t.db, a, 'e1')).toBeUndefined();

    // Still pending: a retry of the same id is claimed again rather than taken for a duplicate.
    const retry = await claimIngestedEvents(t.db, [a], ['e1'], window);
    expect(retry.claimed).toEqual([{ tenant_id: a, event_id: 'e1' }]);

    await confirmIngestedEvents(t.db, [a, b], ['e1', 'e1']);
    expect(await ingestedEventAcceptedAt(t.db, a, 'e1')).toBeInstanceOf(Date);
    expect(await ingestedEventAcceptedAt(t.db, a, 'e2')).toBeUndefined();
    const again = await claimIngestedEvents(t.db, [a, b, a], ['e1', 'e1', 'e2'], window);
    expect(again.claimed).toEqual([{ tenant_id: a, event_id: 'e2' }]);
  });

  it('reports the webhook change counter of the claim snapshot', async () => {
    await t.db('webhook_change_seq').update({ value: 41 });
    const { webhookSeq } = await claimIngestedEvents(t.db, [randomUUID()], ['seq'], window);
    expect(webhookSeq).toBe(41);
  });

  it('releases claims so the id can be claimed again', async () => {
    const a = randomUUID();
    await claimIngestedEvents(t.db, [a, a], ['r1', 'r2'], window);
    await confirmIngestedEvents(t.db, [a, a], ['r1', 'r2']);
    await releaseIngestedEvents(t.db, a, ['r1']);
    const { claimed } = await claimIngestedEvents(t.db, [a, a], ['r1', 'r2'], window);
    expect(claimed).toEqual([{ tenant_id: a, event_id: 'r1' }]);
  });

  it('prunes only rows accepted before the window, in batches', async () => {
    const a = randomUUID();
    const old = new Date(Date.now() - 2 * window * 1000);
    await t
      .db('ingested_events')
      .insert([
        ...Array.from({ length: 7 }, (_, i) => ({ tenant_id: a, event_id: `old${i}`, accepted_at: old })),
        { tenant_id: a, event_id: 'recent', accepted_at: new Date() },
      ]);
    expect(await pruneIngestedEvents(t.db, window, 3)).toBeGreaterThanOrEqual(7);
    expect(await t.db('ingested_events').where({ tenant_id: a }).pluck('event_id')).toEqual(['recent']);
  });

  it('confirms a repeated pair once, and records a pair whose pending row is gone as accepted', async () => {
    const a = randomUUID();
    await claimIngestedEvents(t.db, [a], ['c1'], window);
    await confirmIngestedEvents(t.db, [a, a, a], ['c1', 'c1', 'c2']);
    expect(await ingestedEventAcceptedAt(t.db, a, 'c1')).toBeInstanceOf(Date);
    // c2 was never claimed here (a pending claim pruned before its acknowledgement): the broker took it, so it is accepted.
    expect(await ingestedEventAcceptedAt(t.db, a, 'c2')).toBeInstanceOf(Date);
    // An accepted row keeps its time: a later confirmation of it changes nothing.
    const before = await ingestedEventAcceptedAt(t.db, a, 'c1');
    await new Promise((r) => setTimeout(r, 5));
    await confirmIngestedEvents(t.db, [a], ['c1']);
    expect(await ingestedEventAcceptedAt(t.db, a, 'c1')).toEqual(before);
  });

  it('finds each pair through the primary key in the generic plans of its prepared statements, whatever the table holds', async () => {
    // The plan PostgreSQL keeps for a prepared statement is made once; one made while the table was
    // small must not scan it (or its accepted_at index, which holds an entry of every claim ever
    // confirmed until a vacuum) once it is large.
    const a = randomUUID();
    const ids = Array.from({ length: 2000 }, (_, i) => `p${i}`);
    await claimIngestedEvents(
      t.db,
      ids.map(() => a),
      ids,
      window,
    );
    await confirmIngestedEvents(
      t.db,
      ids.map(() => a),
      ids,
    );
    const plans = await t.db.transaction(async (trx) => {
      await trx.raw('SET LOCAL plan_cache_mode = force_generic_plan');
      await trx.raw(`PREPARE dedup_claim_plan AS ${DEDUP_STATEMENTS.claim}`);
      await trx.raw(`PREPARE dedup_confirm_plan AS ${DEDUP_STATEMENTS.confirm}`);
      const explain = async (sql: string) =>
        ((await trx.raw(`EXPLAIN ${sql}`)) as { rows: { 'QUERY PLAN': string }[] }).rows.map((r) => r['QUERY PLAN']).join('\n');
      const out = [
        await explain(`EXECUTE dedup_claim_plan('{${a}}', '{p1}', '{${a}}', '{q1}', ${window})`),
        await explain(`EXECUTE dedup_confirm_plan('{${a}}', '{p1}')`),
      ];
      await trx.raw('DEALLOCATE dedup_claim_plan');
      await trx.raw('DEALLOCATE dedup_confirm_plan');
      return out;
    });
    for (const plan of plans) {
      expect(plan).toContain('Conflict Arbiter Indexes: ingested_events_pkey');
      expect(plan).not.toMatch(/Scan on ingested_events|ingested_events_accepted_at/);
    }
  });
});
