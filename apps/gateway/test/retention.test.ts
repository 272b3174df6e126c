import { randomUUID } from 'node:crypto';
import { columnWhere, countRowsWhere, insertAttemptRows, insertDeliveryRows, insertEventRows } from '@hookstream/store/testing';
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
    await insertEventRows(
      h.pg.db,
      rows.map((r) => ({ tenant_id: tenant, id: r.event, type: 'user-followed', received_at: r.at })),
    );
    await insertDeliveryRows(
      h.pg.db,
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
    await insertAttemptRows(
      h.pg.db,
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
    await waitFor(async () => (await countRowsWhere(h.pg.db, 'deliveries', { tenant_id: tenant })) === 2, {
      timeoutMs: 15_000,
      what: 'expired deliveries to be pruned',
    });
    expect((await columnWhere(h.pg.db, 'deliveries', 'event_id', { tenant_id: tenant })).sort()).toEqual(['ev2', 'ev3']);
    await waitFor(async () => (await columnWhere(h.pg.db, 'events', 'id', { tenant_id: tenant })).length === 2, { timeoutMs: 5000, what: 'events pruned' });
    expect((await columnWhere(h.pg.db, 'events', 'id', { tenant_id: tenant })).sort()).toEqual(['ev2', 'ev3']);
    expect((await columnWhere(h.pg.db, 'delivery_attempts', 'delivery_id', { tenant_id: tenant })).sort()).toEqual([rows[2]!.id, rows[3]!.id].sort());
  });
});
