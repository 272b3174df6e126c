import { randomUUID } from 'node:crypto';
import { waitFor } from '@hookstream/test-kit';
import { startHarness, type Harness } from './helpers/harness.js';

describe('audit retention', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ RETENTION_DAYS: '30', RETENTION_INTERVAL_S: '1' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('prunes events, deliveries and attempts older than RETENTION_DAYS, and keeps the rest', async () => {
    const tenant = randomUUID();
    const webhook = randomUUID();
    const day = 86_400_000;
    const rows = [40, 31, 29, 1].map((age, i) => ({ id: randomUUID(), event: `ev${i}`, at: new Date(Date.now() - age * day) }));
    await h.pg.db('events').insert(rows.map((r) => ({ tenant_id: tenant, id: r.event, type: 'user-followed', received_at: r.at })));
    await h.pg.db('deliveries').insert(
      rows.map((r) => ({
        id: r.id,
        tenant_id: tenant,
        event_id: r.event,
        webhook_id: webhook,
        event_type: 'user-followed',
        status: 'delivered',
        created_at: r.at,
      })),
    );
    await h.pg.db('delivery_attempts').insert(
      rows.map((r) => ({
        delivery_id: r.id,
        tenant_id: tenant,
        webhook_id: webhook,
        attempt: 1,
        started_at: r.at,
        duration_ms: 3,
        outcome: 'delivered',
        status_code: 200,
      })),
    );
    await waitFor(async () => (await h.pg.db('deliveries').where({ tenant_id: tenant }).count({ n: '*' }).first())?.n === 2, {
      timeoutMs: 15_000,
      what: 'expired deliveries to be pruned',
    });
    expect((await h.pg.db('deliveries').where({ tenant_id: tenant }).pluck('event_id')).sort()).toEqual(['ev2', 'ev3']);
    await waitFor(async () => (await h.pg.db('events').where({ tenant_id: tenant }).pluck('id')).length === 2, { timeoutMs: 5000, what: 'events pruned' });
    expect((await h.pg.db('events').where({ tenant_id: tenant }).pluck('id')).sort()).toEqual(['ev2', 'ev3']);
    expect((await h.pg.db('delivery_attempts').where({ tenant_id: tenant }).pluck('delivery_id')).sort()).toEqual([rows[2]!.id, rows[3]!.id].sort());
  });
});
