import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/** Tables and columns owned by gateway. */
export const gateway: Migration = {
  name: '0002-gateway',
  async up(_db: Knex) {},
  async down(_db: Knex) {},
};
