import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/** Tables and columns owned by delivery-worker. */
export const deliveryWorker: Migration = {
  name: '0004-delivery-worker',
  async up(_db: Knex) {},
  async down(_db: Knex) {},
};
