import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Portal and console sessions (issue 20.1). `ui_session_tokens` remembers the id (`jti`) of every
 * single-use session token that was exchanged, until the token would have expired anyway: the
 * primary key makes the exchange an atomic claim, so two gateways cannot both accept one token.
 * `webhooks.partner` is the partner label of the portal session that created a webhook, so later
 * sessions of the same partner still see it (null: created with an API key).
 */
export const uiSessions: Migration = {
  name: '0014-ui-sessions',
  async up(db: Knex) {
    await db.raw(`CREATE TABLE IF NOT EXISTS ui_session_tokens (
      jti text PRIMARY KEY,
      expires_at timestamptz NOT NULL,
      consumed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.raw('CREATE INDEX IF NOT EXISTS ui_session_tokens_expires_at ON ui_session_tokens (expires_at)');
    await db.raw('ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS partner text');
    // The portal lists a tenant's webhooks of one partner.
    await db.raw('CREATE INDEX IF NOT EXISTS webhooks_tenant_partner ON webhooks (tenant_id, partner) WHERE partner IS NOT NULL');
  },
  async down(db: Knex) {
    await db.raw('DROP INDEX IF EXISTS webhooks_tenant_partner');
    await db.raw('ALTER TABLE webhooks DROP COLUMN IF EXISTS partner');
    await db.raw('DROP TABLE IF EXISTS ui_session_tokens');
  },
};
