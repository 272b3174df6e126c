import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * The portal's and the console's reads (issue 20), each found through an index instead of a scan:
 * - `delivery_attempts_webhook_time_idx`: a webhook's attempts of the last hours, for its hourly
 *   success rate and latency (`GET /v1/webhooks/{id}/stats`);
 * - `deliveries_dead_letters_idx` and `deliveries_webhook_dead_letters_idx`: deliveries that ended
 *   dead-lettered (`status = 'discarded'`), newest first, across the installation or per webhook
 *   (`GET /v1/admin/dead-letters`). Partial, so they hold only the few discarded rows.
 * The delivery rate of the last hour reads `delivery_attempts (started_at)`, which exists since 0001.
 * Built CONCURRENTLY (outside a transaction) so a running installation keeps writing meanwhile.
 */
export const operationsConsoleIndexes: Migration = {
  name: '0015-operations-console-indexes',
  transaction: false,
  async up(db: Knex) {
    await db.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS delivery_attempts_webhook_time_idx ON delivery_attempts (webhook_id, started_at)');
    await db.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_dead_letters_idx ON deliveries (finished_at DESC, id DESC) WHERE status = 'discarded'`);
    await db.raw(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_webhook_dead_letters_idx ON deliveries (webhook_id, finished_at DESC, id DESC) WHERE status = 'discarded'`,
    );
  },
  async down(db: Knex) {
    await db.raw('DROP INDEX CONCURRENTLY IF EXISTS deliveries_webhook_dead_letters_idx');
    await db.raw('DROP INDEX CONCURRENTLY IF EXISTS deliveries_dead_letters_idx');
    await db.raw('DROP INDEX CONCURRENTLY IF EXISTS delivery_attempts_webhook_time_idx');
  },
};
