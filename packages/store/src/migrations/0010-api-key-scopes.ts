import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * API keys get scopes (#17.1, the webhooks service's 403): `publish` (events), `read` (webhooks,
 * deliveries, events, secret names, keys) and `manage` (every change). Every existing key keeps
 * what it could do: all three. A key's scopes never change after creation, so the gateways' key
 * caches need no announcement for them.
 */
export const apiKeyScopes: Migration = {
  name: '0010-api-key-scopes',
  async up(db: Knex) {
    await db.raw(`
      ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT '{publish,read,manage}'
        CHECK (cardinality(scopes) > 0 AND scopes <@ '{publish,read,manage}'::text[])`);
  },
  async down(db: Knex) {
    await db.raw('ALTER TABLE api_keys DROP COLUMN IF EXISTS scopes');
  },
};
