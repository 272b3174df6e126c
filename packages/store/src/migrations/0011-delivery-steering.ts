import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Receivers steer delivery (issue 18, points 4 and 5):
 * - `webhooks.disabled_reason`: why a webhook was switched off by the system rather than its owner
 *   (`gone`: its endpoint answered 410); jobs of such a webhook are discarded, not skipped, and
 *   enabling it again clears the reason.
 * - `delivery_attempts.retry_after_ms`: the wait the receiver asked for with `Retry-After`
 *   (at most 24 h), so the history explains a late next attempt.
 * - `delivery_attempts.request_headers`: the headers the attempt sent, every credential already
 *   replaced by `[redacted]` by the worker (no secret is ever written here).
 */
export const deliverySteering: Migration = {
  name: '0011-delivery-steering',
  async up(db: Knex) {
    await db.raw('ALTER TABLE webhooks ADD COLUMN disabled_reason text');
    await db.raw('ALTER TABLE delivery_attempts ADD COLUMN retry_after_ms integer, ADD COLUMN request_headers jsonb');
  },
  async down(db: Knex) {
    await db.raw('ALTER TABLE delivery_attempts DROP COLUMN IF EXISTS retry_after_ms, DROP COLUMN IF EXISTS request_headers');
    await db.raw('ALTER TABLE webhooks DROP COLUMN IF EXISTS disabled_reason');
  },
};
