import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * What each gateway instance saw of each tenant's request rate over the last second, so the
 * instances can split one tenant rate limit between them in proportion to the traffic each
 * receives (a tenant on one keep-alive connection still gets its whole limit).
 *
 * UNLOGGED: the rows are rewritten every second and worthless after a crash, so they are
 * not worth a WAL write; PostgreSQL empties the table after a crash recovery, which the
 * gateways take as "no other instance seen yet".
 */
export const tenantRateDemand: Migration = {
  name: '0007-tenant-rate-demand',
  async up(db: Knex) {
    await db.raw(`
      CREATE UNLOGGED TABLE gateway_rate_demand (
        tenant_id uuid NOT NULL,
        instance_id text NOT NULL,
        demand_per_s double precision NOT NULL CHECK (demand_per_s >= 0),
        reported_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, instance_id)
      )`);
  },
  async down(db: Knex) {
    await db.raw('DROP TABLE IF EXISTS gateway_rate_demand');
  },
};
