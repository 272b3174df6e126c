import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Core tables. A webhook keeps its normalized, secret-free specification as JSON
 * (the contract package owns its shape) next to the few columns that are queried or
 * constrained; its secrets are stored separately, encrypted.
 */
export const core: Migration = {
  name: '0001-core',
  async up(db: Knex) {
    await db.raw('CREATE EXTENSION IF NOT EXISTS pgcrypto');
    await db.schema.createTable('tenants', (t) => {
      t.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      t.text('name').notNullable();
      t.text('api_key_hash').notNullable().unique();
      t.text('api_key_hint').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.schema.createTable('tenant_secrets', (t) => {
      t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
      t.text('name').notNullable();
      t.text('value_enc').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.primary(['tenant_id', 'name']);
    });
    await db.schema.createTable('webhooks', (t) => {
      t.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
      t.text('kind').notNullable();
      t.boolean('enabled').notNullable().defaultTo(true);
      t.boolean('buggy').notNullable().defaultTo(false);
      t.text('object');
      t.jsonb('spec').notNullable();
      t.text('secrets_enc');
      t.text('fingerprint').notNullable();
      t.integer('consecutive_failures').notNullable().defaultTo(0);
      t.timestamp('marked_buggy_at', { useTz: true });
      t.bigInteger('revision').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.unique(['tenant_id', 'fingerprint']);
      t.index(['tenant_id', 'object']);
    });
    await db.raw(`ALTER TABLE webhooks ADD CONSTRAINT webhooks_kind_check CHECK (kind IN ('notification', 'content', 'system'))`);
    // Subscribers (the matcher's index) learn of every change without polling.
    await db.raw(`
      CREATE FUNCTION hookstream_notify_webhook_change() RETURNS trigger AS $$
      DECLARE r record;
      BEGIN
        IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
        PERFORM pg_notify('hookstream_webhook_changes',
          json_build_object('op', TG_OP, 'id', r.id, 'tenant_id', r.tenant_id, 'revision', r.revision)::text);
        RETURN NULL;
      END $$ LANGUAGE plpgsql`);
    await db.raw(`
      CREATE TRIGGER webhooks_notify AFTER INSERT OR UPDATE OR DELETE ON webhooks
      FOR EACH ROW EXECUTE FUNCTION hookstream_notify_webhook_change()`);

    await db.schema.createTable('events', (t) => {
      t.uuid('tenant_id').notNullable();
      t.text('id').notNullable();
      t.text('type').notNullable();
      t.text('source');
      t.text('subject');
      t.timestamp('time', { useTz: true });
      t.specificType('matched_webhooks', 'uuid[]').notNullable().defaultTo('{}');
      t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.primary(['tenant_id', 'id']);
      t.index(['received_at']);
    });
    await db.schema.createTable('deliveries', (t) => {
      t.uuid('id').primary();
      t.uuid('tenant_id').notNullable();
      t.text('event_id').notNullable();
      // No foreign key: the history outlives a deleted webhook.
      t.uuid('webhook_id').notNullable();
      t.text('event_type').notNullable();
      t.text('status').notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.integer('last_status_code');
      t.text('last_error');
      t.timestamp('next_attempt_at', { useTz: true });
      t.jsonb('body');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp('finished_at', { useTz: true });
      t.index(['webhook_id', 'created_at']);
      t.index(['tenant_id', 'event_id']);
      t.index(['created_at']);
    });
    await db.raw(
      `ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'delivered', 'retrying', 'discarded', 'skipped'))`,
    );
    await db.schema.createTable('delivery_attempts', (t) => {
      t.bigIncrements('id').primary();
      t.uuid('delivery_id').notNullable();
      t.uuid('tenant_id').notNullable();
      t.uuid('webhook_id').notNullable();
      // A manual retry or a replay starts a new cycle; attempts count from 1 within each.
      t.integer('cycle').notNullable().defaultTo(0);
      t.integer('attempt').notNullable();
      t.timestamp('started_at', { useTz: true }).notNullable();
      t.integer('duration_ms').notNullable();
      t.text('outcome').notNullable();
      t.integer('status_code');
      t.text('error_class');
      t.text('error_message');
      t.text('response_excerpt');
      t.unique(['delivery_id', 'cycle', 'attempt']);
      t.index(['started_at']);
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('delivery_attempts');
    await db.schema.dropTableIfExists('deliveries');
    await db.schema.dropTableIfExists('events');
    await db.raw('DROP TRIGGER IF EXISTS webhooks_notify ON webhooks');
    await db.raw('DROP FUNCTION IF EXISTS hookstream_notify_webhook_change()');
    await db.schema.dropTableIfExists('webhooks');
    await db.schema.dropTableIfExists('tenant_secrets');
    await db.schema.dropTableIfExists('tenants');
  },
};
