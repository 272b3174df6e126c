import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { claimIngestedEvents, confirmIngestedEvents, ingestedEventAcceptedAt, pruneIngestedEvents, releaseIngestedEvents } from '../src/index.js';

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
});
