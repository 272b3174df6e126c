import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import {
  getIndexedEvent,
  getTenantDelivery,
  lastDeliveryCycle,
  listDeliveryAttempts,
  listWebhookDeliveries,
  tenantDeliveriesByIds,
  webhookHasHistory,
} from '../src/index.js';

describe('delivery history reads (deliveries, delivery_attempts, events)', () => {
  let t: TestDatabase;
  const tenant = randomUUID();
  const otherTenant = randomUUID();
  const webhook = randomUUID();
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  const minute = 60_000;
  const base = Date.now() - 10 * minute;

  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db('deliveries').insert(
      ids.map((id, i) => ({
        id,
        tenant_id: tenant,
        event_id: `ev${i}`,
        webhook_id: webhook,
        event_type: 'user-followed',
        status: i === 1 ? 'retrying' : 'delivered',
        attempts: i + 1,
        body: JSON.stringify({ n: i }),
        created_at: new Date(base + i * minute),
      })),
    );
    await t.db('delivery_attempts').insert([
      {
        delivery_id: ids[1],
        tenant_id: tenant,
        webhook_id: webhook,
        cycle: 1,
        attempt: 1,
        started_at: new Date(),
        duration_ms: 3,
        outcome: 'delivered',
        status_code: 200,
      },
      {
        delivery_id: ids[1],
        tenant_id: tenant,
        webhook_id: webhook,
        cycle: 0,
        attempt: 2,
        started_at: new Date(),
        duration_ms: 4,
        outcome: 'failed',
        status_code: 500,
      },
      {
        delivery_id: ids[1],
        tenant_id: tenant,
        webhook_id: webhook,
        cycle: 0,
        attempt: 1,
        started_at: new Date(),
        duration_ms: 5,
        outcome: 'failed',
        error_class: 'timeout',
        error_message: 'no answer',
      },
    ]);
    await t.db('events').insert({ tenant_id: tenant, id: 'ev0', type: 'user-followed', source: 'src', matched_webhooks: [webhook] });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('knows a webhook by its deliveries after it was deleted, and only for its tenant', async () => {
    expect(await webhookHasHistory(t.db, tenant, webhook)).toBe(true);
    expect(await webhookHasHistory(t.db, otherTenant, webhook)).toBe(false);
    expect(await webhookHasHistory(t.db, tenant, randomUUID())).toBe(false);
  });

  it('lists newest first, pages, and filters by status and time', async () => {
    const all = await listWebhookDeliveries(t.db, tenant, webhook, { offset: 0, limit: 10 });
    expect(all.map((d) => d.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await listWebhookDeliveries(t.db, tenant, webhook, { offset: 1, limit: 1 })).map((d) => d.id)).toEqual([ids[1]]);
    expect((await listWebhookDeliveries(t.db, tenant, webhook, { status: 'retrying', offset: 0, limit: 10 })).map((d) => d.id)).toEqual([ids[1]]);
    const since = new Date(base + minute);
    expect((await listWebhookDeliveries(t.db, tenant, webhook, { since, offset: 0, limit: 10 })).map((d) => d.id)).toEqual([ids[2], ids[1]]);
    expect(await listWebhookDeliveries(t.db, otherTenant, webhook, { offset: 0, limit: 10 })).toEqual([]);
  });

  it("reads one of the tenant's deliveries, and several by id", async () => {
    expect(await getTenantDelivery(t.db, tenant, ids[0]!)).toMatchObject({ id: ids[0], event_id: 'ev0', status: 'delivered', body: { n: 0 } });
    expect(await getTenantDelivery(t.db, otherTenant, ids[0]!)).toBeUndefined();
    expect((await tenantDeliveriesByIds(t.db, tenant, [ids[0]!, ids[2]!, randomUUID()])).map((d) => d.id).sort()).toEqual([ids[0], ids[2]].sort());
    expect(await tenantDeliveriesByIds(t.db, otherTenant, ids)).toEqual([]);
    expect(await tenantDeliveriesByIds(t.db, tenant, [])).toEqual([]);
  });

  it('lists attempts by cycle then attempt, and the last cycle', async () => {
    const attempts = await listDeliveryAttempts(t.db, tenant, ids[1]!);
    expect(attempts.map((a) => [a.cycle, a.attempt])).toEqual([
      [0, 1],
      [0, 2],
      [1, 1],
    ]);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', error_class: 'timeout', error_message: 'no answer', duration_ms: 5 });
    expect(await listDeliveryAttempts(t.db, otherTenant, ids[1]!)).toEqual([]);
    expect(await lastDeliveryCycle(t.db, ids[1]!)).toBe(1);
    expect(await lastDeliveryCycle(t.db, ids[0]!)).toBe(0);
  });

  it('reads an indexed event with the webhooks it matched', async () => {
    expect(await getIndexedEvent(t.db, tenant, 'ev0')).toMatchObject({ id: 'ev0', type: 'user-followed', source: 'src', matched_webhooks: [webhook] });
    expect(await getIndexedEvent(t.db, otherTenant, 'ev0')).toBeUndefined();
  });
});
