import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Tables and columns owned by gateway.
 *
 * `ingested_events` remembers which event ids a tenant already published, so a publisher
 * retrying a request (same CloudEvent id) within the dedup window gets the same answer
 * without the event reaching Kafka twice. Rows older than the window are pruned in batches.
 */
export const gateway: Migration = {
  name: '0002-gateway',
  async up(db: Knex) {
    await db.schema.createTable('ingested_events', (t) => {
      t.uuid('tenant_id').notNullable();
      t.text('event_id').notNullable();
      t.timestamp('accepted_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.primary(['tenant_id', 'event_id']);
      t.index(['accepted_at']);
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('ingested_events');
  },
};
