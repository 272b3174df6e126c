import { randomUUID } from 'node:crypto';
import { firstRowWhere } from '@hookstream/store/testing';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { DedupStore } from '../src/ingest/dedup-store.js';

// The group commit of claims and confirmations against the real PostgreSQL.
describe('DedupStore', () => {
  let pg: TestDatabase;
  let statements: string[];
  const tenant = randomUUID();
  beforeAll(async () => {
    pg = await createTestDatabase();
    pg.db.on('query', (q: { sql: string }) => statements.push(q.sql));
  });
  beforeEach(() => {
    statements = [];
  });
  afterAll(async () => {
    await pg?.drop();
  });
  const claimStatements = () => statements.filter((s) => s.includes('INSERT INTO ingested_events')).length;
  const acceptedAt = async (id: string) =>
    (await firstRowWhere(pg.db, 'ingested_events', { tenant_id: tenant, event_id: id }))?.accepted_at as Date | undefined;

  it('claims the ids of concurrent requests in shared statements, each request getting its own fresh ids', async () => {
    const dedup = new DedupStore(pg.db, 600);
    const requests = Array.from({ length: 30 }, () => [randomUUID(), randomUUID()]);
    const claims = await Promise.all(requests.map((ids) => dedup.claim(tenant, ids)));
    expect(claims.map((c) => [...c.fresh].sort())).toEqual(requests.map((ids) => [...ids].sort()));
    expect(claimStatements()).toBeGreaterThanOrEqual(1);
    expect(claimStatements()).toBeLessThan(requests.length);
  });

  it('a pending claim (never confirmed) does not make a later claim of the id a duplicate', async () => {
    const dedup = new DedupStore(pg.db, 600);
    const id = randomUUID();
    expect([...(await dedup.claim(tenant, [id])).fresh]).toEqual([id]);
    expect([...(await dedup.claim(tenant, [id])).fresh]).toEqual([id]);
    expect(await dedup.acceptedAt(tenant, id)).toBeUndefined();
  });

  it('a confirmed id is a duplicate and accepted at once, before its statement is done, and recorded once it is', async () => {
    const dedup = new DedupStore(pg.db, 600);
    const id = randomUUID();
    await dedup.claim(tenant, [id]);
    const confirmed = dedup.confirm(tenant, [id]);
    expect(await dedup.acceptedAt(tenant, id)).toBeInstanceOf(Date);
    expect((await dedup.claim(tenant, [id])).fresh.size).toBe(0);
    await confirmed;
    expect((await acceptedAt(id))!.getTime()).toBeGreaterThan(0);
    // Now from PostgreSQL, as another gateway would see it.
    const other = new DedupStore(pg.db, 600);
    expect((await other.claim(tenant, [id])).fresh.size).toBe(0);
    expect(await other.acceptedAt(tenant, id)).toBeInstanceOf(Date);
  });

  it('confirms acknowledged ids in the statement that claims the next ones (one round trip for both)', async () => {
    const dedup = new DedupStore(pg.db, 600);
    const first = Array.from({ length: 5 }, () => randomUUID());
    await dedup.claim(tenant, first);
    statements = [];
    const confirmed = dedup.confirm(tenant, first);
    const next = Array.from({ length: 5 }, () => randomUUID());
    const claim = dedup.claim(tenant, next);
    expect([...(await claim).fresh].sort()).toEqual([...next].sort());
    await confirmed;
    expect(statements.filter((s) => s.includes('ingested_events'))).toHaveLength(1);
    const times = await Promise.all(first.map(acceptedAt));
    expect(times.every((t) => t !== undefined && t.getTime() > 0)).toBe(true);
    // Claimed, not confirmed: still pending.
    const pending = (t: unknown) => String(t instanceof Date ? t.getTime() : t).toLowerCase() === '-infinity';
    expect((await Promise.all(next.map(acceptedAt))).every(pending)).toBe(true);
  });

  it('settled() waits for the confirmations still being written', async () => {
    const dedup = new DedupStore(pg.db, 600);
    const ids = Array.from({ length: 10 }, () => randomUUID());
    await Promise.all(ids.map((id) => dedup.claim(tenant, [id])));
    for (const id of ids) void dedup.confirm(tenant, [id]);
    await dedup.settled();
    const times = await Promise.all(ids.map(acceptedAt));
    expect(times.every((t) => t !== undefined && t.getTime() > 0)).toBe(true);
  });
});
