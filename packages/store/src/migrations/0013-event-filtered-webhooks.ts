import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Payload filters (issue 19.1): the webhooks an event was routed to but whose filter rejected
 * it, next to `matched_webhooks`, so GET /v1/events/{id} can say which matched and which filtered
 * it out from the one row the matcher already writes per event (no extra statement per event).
 * A constant default makes the new column a catalogue change: existing rows are not rewritten.
 */
export const eventFilteredWebhooks: Migration = {
  name: '0013-event-filtered-webhooks',
  async up(db: Knex) {
    await db.raw(`ALTER TABLE events ADD COLUMN IF NOT EXISTS filtered_webhooks uuid[] NOT NULL DEFAULT '{}'`);
  },
  async down(db: Knex) {
    await db.raw('ALTER TABLE events DROP COLUMN IF EXISTS filtered_webhooks');
  },
};
