import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Tables and columns owned by delivery-worker. `deliveries.cycle` is the delivery's current
 * cycle (0 for the original delivery, +1 per manual retry or replay): the worker's upsert
 * orders states by (cycle, attempts, status) so a late duplicate never moves a delivery back.
 */
export const deliveryWorker: Migration = {
  name: '0004-delivery-worker',
  async up(db: Knex) {
    await db.schema.alterTable('deliveries', (t) => {
      t.integer('cycle').notNullable().defaultTo(0);
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('deliveries', (t) => {
      t.dropColumn('cycle');
    });
  },
};
