import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * A per-tenant cap on webhooks (#16.13): every event is matched against a tenant's webhooks,
 * so their number bounds the fan-out one published event can cause. NULL: the gateway's
 * default (TENANT_WEBHOOK_LIMIT); the operator sets a tenant's own through PATCH /v1/tenants/{id}.
 */
export const tenantWebhookLimit: Migration = {
  name: '0009-tenant-webhook-limit',
  async up(db: Knex) {
    await db.raw('ALTER TABLE tenants ADD COLUMN webhook_limit integer CHECK (webhook_limit >= 0)');
  },
  async down(db: Knex) {
    await db.raw('ALTER TABLE tenants DROP COLUMN IF EXISTS webhook_limit');
  },
};
