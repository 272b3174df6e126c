import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * The order deliveries were recorded in (#17.4): a buggy webhook's skipped deliveries are
 * replayed on re-enable in publication order, but the matcher records a slice's skipped rows
 * in one statement, so they share `created_at` and the uuid ids say nothing about order. A
 * sequence default numbers each row as it is inserted (a multi-row insert numbers its rows in
 * order). Added nullable and defaulted afterwards so existing rows are not rewritten: they
 * keep NULL and sort by `created_at` alone. A partial index holds only the deliveries that are
 * skipped now (a replay moves them on), so recovery pages through them without reading the
 * webhook's whole history; built CONCURRENTLY so writes go on (hence no transaction).
 */
export const deliveryPublicationOrder: Migration = {
  name: '0012-delivery-publication-order',
  transaction: false,
  async up(db: Knex) {
    await db.raw('CREATE SEQUENCE IF NOT EXISTS deliveries_seq');
    await db.raw('ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS seq bigint');
    await db.raw(`ALTER TABLE deliveries ALTER COLUMN seq SET DEFAULT nextval('deliveries_seq')`);
    await db.raw('ALTER SEQUENCE deliveries_seq OWNED BY deliveries.seq');
    await db.raw(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_skipped_idx ON deliveries (tenant_id, webhook_id, created_at, (coalesce(seq, 0)), id) WHERE status = 'skipped'`,
    );
  },
  async down(db: Knex) {
    await db.raw('DROP INDEX CONCURRENTLY IF EXISTS deliveries_skipped_idx');
    await db.raw('ALTER TABLE deliveries DROP COLUMN IF EXISTS seq');
    await db.raw('DROP SEQUENCE IF EXISTS deliveries_seq');
  },
};
