import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Portal and console sessions ended before their time: by a logout (so a copy of the cookie dies
 * with it) or by the tenant that issued a portal link. A row lives until the session would have
 * expired anyway; every request with a session cookie looks its id up here (one primary-key read:
 * UI requests come at a person's pace). `revoked_by` is the revoking tenant's id, or '' for a
 * logout: a tenant's revocation only ever matches that tenant's sessions, and, being part of the
 * key, one tenant's row for an id cannot stand in the way of another's.
 */
export const uiSessionRevocations: Migration = {
  name: '0016-ui-session-revocations',
  async up(db: Knex) {
    await db.raw(`CREATE TABLE IF NOT EXISTS ui_session_revocations (
      session_id text NOT NULL,
      revoked_by text NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (session_id, revoked_by)
    )`);
    await db.raw('CREATE INDEX IF NOT EXISTS ui_session_revocations_expires_at ON ui_session_revocations (expires_at)');
  },
  async down(db: Knex) {
    await db.raw('DROP TABLE IF EXISTS ui_session_revocations');
  },
};
