import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { pruneExpired } from '../src/index.js';

describe('retention pruning', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('removes only rows older than the cut-off, in batches', async () => {
    const tenant = randomUUID();
    const webhook = randomUUID();
    const day = 86_400_000;
    const old = new Date(Date.now() - 40 * day);
    const fresh = new Date(Date.now() - 1 * day);
    const deliveries = Array.from({ length: 25 }, (_, i) => ({
      id: randomUUID(),
      tenant_id: tenant,
      event_id: `e${i}`,
      webhook_id: webhook,
      event_type: 'user-followed',
      status: 'delivered',
      created_at: i < 20 ? old : fresh,
    }));
    await t.db('deliveries').insert(deliveries);
    await t.db('delivery_attempts').insert(
      deliveries.map((d) => ({
        delivery_id: d.id,
        tenant_id: tenant,
        webhook_id: webhook,
        attempt: 1,
        started_at: d.created_at,
        duration_ms: 5,
        outcome: 'delivered',
        status_code: 200,
      })),
    );
    await t.db('events').insert(deliveries.map((d) => ({ tenant_id: tenant, id: d.event_id, type: 'user-followed', received_at: d.created_at })));

    const results = await pruneExpired(t.db, { olderThan: new Date(Date.now() - 30 * day), batchSize: 7 });
    expect(results.map((r) => [r.table, r.deleted])).toEqual([
      ['delivery_attempts', 20],
      ['deliveries', 20],
      ['events', 20],
    ]);
    expect(results.every((r) => r.batches === 3)).toBe(true);
    const left = await t.db('deliveries').pluck('event_id');
    expect(left.sort()).toEqual(['e20', 'e21', 'e22', 'e23', 'e24']);
    expect(await t.db('delivery_attempts').count({ n: '*' }).first()).toEqual({ n: 5 });
    expect(await t.db('events').count({ n: '*' }).first()).toEqual({ n: 5 });
  });

  it('does nothing while another process holds the pruning lock', async () => {
    const cutoff = new Date(Date.now() - 30 * 86_400_000);
    const other = await t.db.client.acquireConnection();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [0x686b7374]);
      expect(await pruneExpired(t.db, { olderThan: cutoff })).toEqual([]);
      await other.query('SELECT pg_advisory_unlock($1)', [0x686b7374]);
      expect(await pruneExpired(t.db, { olderThan: cutoff })).toHaveLength(3);
    } finally {
      await t.db.client.releaseConnection(other);
    }
  });
});
