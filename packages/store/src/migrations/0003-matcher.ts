import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/** Tables and columns owned by matcher. */
export const matcher: Migration = {
  name: '0003-matcher',
  async up(_db: Knex) {},
  async down(_db: Knex) {},
};
