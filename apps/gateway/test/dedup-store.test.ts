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

  it("a lone publish's confirmation lingers and rides with the next claim: one statement for a request after a request", async () => {
    const dedup = new DedupStore(pg.db, 600, 10_000);
    const first = randomUUID();
    await dedup.claim(tenant, [first]);
    statements = [];
    const confirmed = dedup.confirm(tenant, [first], { lone: true });
    // Accepted here at once, and no statement of its own while it lingers.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await dedup.acceptedAt(tenant, first)).toBeInstanceOf(Date);
    expect(statements.filter((s) => s.includes('ingested_events'))).toHaveLength(0);
    const next = randomUUID();
    expect([...(await dedup.claim(tenant, [next])).fresh]).toEqual([next]);
    await confirmed;
    expect(statements.filter((s) => s.includes('ingested_events'))).toHaveLength(1);
    expect((await acceptedAt(first))!.getTime()).toBeGreaterThan(0);
  });

  it('a lingering confirmation with no claim to ride with is written alone when its linger ends', async () => {
    const dedup = new DedupStore(pg.db, 600, 30);
    const id = randomUUID();
    await dedup.claim(tenant, [id]);
    statements = [];
    await dedup.confirm(tenant, [id], { lone: true });
    expect(statements.filter((s) => s.includes('ingested_events'))).toHaveLength(1);
    expect((await acceptedAt(id))!.getTime()).toBeGreaterThan(0);
  });

  it('a confirmation made while other publishes are in progress goes at once, taking the lingering ones along', async () => {
    const dedup = new DedupStore(pg.db, 600, 60_000);
    const [a, b] = [randomUUID(), randomUUID()];
    await dedup.claim(tenant, [a, b]);
    statements = [];
    const lingering = dedup.confirm(tenant, [a], { lone: true });
    await dedup.confirm(tenant, [b]);
    await lingering;
    expect(statements.filter((s) => s.includes('ingested_events'))).toHaveLength(1);
    expect((await Promise.all([a, b].map(acceptedAt))).every((t) => t !== undefined && t.getTime() > 0)).toBe(true);
  });

  it('a statement that fails while carrying a lingering confirmation rejects that confirmation, for its caller to handle', async () => {
    const doomed = await createTestDatabase();
    const dedup = new DedupStore(doomed.db, 600, 60_000);
    const id = randomUUID();
    await dedup.claim(tenant, [id]);
    const confirmed = dedup.confirm(tenant, [id], { lone: true });
    await doomed.drop();
    await expect(dedup.claim(tenant, [randomUUID()])).rejects.toThrow();
    await expect(confirmed).rejects.toThrow();
  });

  it('settled() writes the lingering confirmations at once', async () => {
    const dedup = new DedupStore(pg.db, 600, 60_000);
    const ids = [randomUUID(), randomUUID()];
    await dedup.claim(tenant, ids);
    const confirmed = dedup.confirm(tenant, ids, { lone: true });
    const started = Date.now();
    await dedup.settled();
    await confirmed;
    expect(Date.now() - started).toBeLessThan(30_000);
    const times = await Promise.all(ids.map(acceptedAt));
    expect(times.every((t) => t !== undefined && t.getTime() > 0)).toBe(true);
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
