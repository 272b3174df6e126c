import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { deliveryRowOf, writeEventIndex, type EventRow } from '../src/index.js';

describe('events index', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('records events and skipped deliveries once, however often a slice is written', async () => {
    const tenant = randomUUID();
    const webhook = randomUUID();
    const filteredBy = randomUUID();
    const events: EventRow[] = Array.from({ length: 3 }, (_, i) => ({
      tenant_id: tenant,
      id: `evt-${i}`,
      type: 'user-followed',
      source: '/tests',
      subject: i === 0 ? null : `user-${i}`,
      time: new Date('2026-01-01T00:00:00Z'),
      matched_webhooks: [webhook],
      filtered_webhooks: i === 2 ? [filteredBy] : [],
    }));
    const skipped = deliveryRowOf(
      {
        v: 1,
        delivery_id: randomUUID(),
        event_id: 'evt-0',
        tenant_id: tenant,
        webhook_id: webhook,
        event_type: 'user-followed',
        attempt: 1,
        due_at: 0,
        created_at: new Date().toISOString(),
        body: { a: 1 },
      },
      'skipped',
    );

    await writeEventIndex(t.db, events, [skipped]);
    await writeEventIndex(t.db, events, [{ ...skipped, last_error: 'a second write' }]);

    const stored = await t
      .db('events')
      .where({ tenant_id: tenant })
      .orderBy('id')
      .select('id', 'type', 'source', 'subject', 'time', 'matched_webhooks', 'filtered_webhooks');
    const common = { type: 'user-followed', source: '/tests', time: new Date('2026-01-01T00:00:00Z') };
    expect(stored).toEqual([
      { id: 'evt-0', ...common, subject: null, matched_webhooks: [webhook], filtered_webhooks: [] },
      { id: 'evt-1', ...common, subject: 'user-1', matched_webhooks: [webhook], filtered_webhooks: [] },
      { id: 'evt-2', ...common, subject: 'user-2', matched_webhooks: [webhook], filtered_webhooks: [filteredBy] },
    ]);
    const deliveries = await t.db('deliveries').where({ tenant_id: tenant }).select('id', 'status', 'last_error', 'body');
    expect(deliveries).toEqual([{ id: skipped.id, status: 'skipped', last_error: null, body: { a: 1 } }]);
  });

  it('writes nothing for an empty slice', async () => {
    await expect(writeEventIndex(t.db, [], [])).resolves.toBeUndefined();
  });
});
