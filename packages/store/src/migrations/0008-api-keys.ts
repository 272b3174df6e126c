import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * API keys get a life cycle: a tenant may hold several (rotation: create, switch, revoke), each
 * with its last use; and a tenant may be disabled. Every existing tenant key moves here unchanged,
 * so it stays valid; the old columns are emptied, not dropped, so a hash lives in one place only
 * while older tools that insert tenants with a key still work.
 *
 * Gateways cache keys; a revoked key or a disabled tenant is announced on its own NOTIFY channel
 * so every gateway drops it within a second instead of waiting out its cache TTL. The payload
 * names ids only, never the hash.
 *
 * A disabled tenant's webhooks are read as disabled by the webhook loaders; disabling touches
 * them (revision + 1) so the webhook change feed tells the matcher and the workers at once.
 */
export const apiKeys: Migration = {
  name: '0008-api-keys',
  async up(db: Knex) {
    await db.raw(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        key_hash text NOT NULL UNIQUE,
        hint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    await db.raw('CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at)');
    await db.raw(`
      INSERT INTO api_keys (tenant_id, key_hash, hint, created_at)
      SELECT id, api_key_hash, api_key_hint, created_at FROM tenants WHERE api_key_hash IS NOT NULL`);
    await db.raw('ALTER TABLE tenants ALTER COLUMN api_key_hash DROP NOT NULL, ALTER COLUMN api_key_hint DROP NOT NULL');
    await db.raw('UPDATE tenants SET api_key_hash = NULL, api_key_hint = NULL');
    await db.raw('ALTER TABLE tenants ADD COLUMN disabled_at timestamptz');
    await db.raw(`
      CREATE FUNCTION hookstream_notify_api_key_change() RETURNS trigger AS $$
      BEGIN
        IF TG_TABLE_NAME = 'tenants' THEN
          IF NEW.disabled_at IS NOT DISTINCT FROM OLD.disabled_at THEN RETURN NULL; END IF;
          PERFORM pg_notify('hookstream_api_key_changes', json_build_object('tenant_id', NEW.id)::text);
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('hookstream_api_key_changes', json_build_object('tenant_id', OLD.tenant_id, 'key_id', OLD.id)::text);
        ELSIF NEW.key_hash IS DISTINCT FROM OLD.key_hash OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id THEN
          PERFORM pg_notify('hookstream_api_key_changes', json_build_object('tenant_id', OLD.tenant_id, 'key_id', OLD.id)::text);
        END IF;
        RETURN NULL;
      END $$ LANGUAGE plpgsql`);
    // Inserts need no announcement: a cache only ever holds a key that already existed.
    await db.raw(`
      CREATE TRIGGER api_keys_notify AFTER UPDATE OR DELETE ON api_keys
      FOR EACH ROW EXECUTE FUNCTION hookstream_notify_api_key_change()`);
    await db.raw(`
      CREATE TRIGGER tenants_notify_disabled AFTER UPDATE OF disabled_at ON tenants
      FOR EACH ROW EXECUTE FUNCTION hookstream_notify_api_key_change()`);
  },
  async down(db: Knex) {
    await db.raw('DROP TRIGGER IF EXISTS tenants_notify_disabled ON tenants');
    await db.raw('DROP TRIGGER IF EXISTS api_keys_notify ON api_keys');
    await db.raw('DROP FUNCTION IF EXISTS hookstream_notify_api_key_change()');
    await db.raw('ALTER TABLE tenants DROP COLUMN IF EXISTS disabled_at');
    // The oldest key of each tenant goes back; a tenant without any gets an unmatchable hash.
    await db.raw(`
      UPDATE tenants t SET api_key_hash = COALESCE(k.key_hash, 'revoked:' || t.id), api_key_hint = COALESCE(k.hint, 'revoked')
      FROM tenants t2 LEFT JOIN LATERAL (
        SELECT key_hash, hint FROM api_keys WHERE tenant_id = t2.id ORDER BY created_at, id LIMIT 1
      ) k ON true
      WHERE t2.id = t.id AND t.api_key_hash IS NULL`);
    await db.raw('ALTER TABLE tenants ALTER COLUMN api_key_hash SET NOT NULL, ALTER COLUMN api_key_hint SET NOT NULL');
    await db.raw('DROP TABLE IF EXISTS api_keys');
  },
};
