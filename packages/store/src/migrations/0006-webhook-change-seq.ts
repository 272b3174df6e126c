import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * A counter of committed webhook changes, so a reader can tell whether its copy of the
 * webhooks is recent enough without asking PostgreSQL.
 *
 * Each transaction that changes webhooks takes the next value once, at commit (a deferred
 * trigger), and announces it on the change channel after its row notifications. The counter's
 * row lock makes those commits, and so their announcements, come in counter order: a listener
 * that has applied announcement N has applied every change committed with a value <= N. The
 * gateway reads the counter with each dedup claim and stamps the events it publishes; the
 * matcher matches an event at once when its webhooks are at least that recent.
 *
 * The lock is held only while the transaction commits, so webhook changes are serialised for
 * that moment only.
 */
export const webhookChangeSeq: Migration = {
  name: '0006-webhook-change-seq',
  async up(db: Knex) {
    await db.raw(`
      CREATE TABLE webhook_change_seq (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        value bigint NOT NULL
      )`);
    await db.raw('INSERT INTO webhook_change_seq (id, value) VALUES (1, 0)');
    await db.raw(`
      CREATE FUNCTION hookstream_announce_webhook_changes() RETURNS trigger AS $$
      DECLARE s bigint;
      BEGIN
        -- Once per transaction, however many rows it changed.
        IF current_setting('hookstream.webhook_seq_xact', true) = txid_current()::text THEN RETURN NULL; END IF;
        PERFORM set_config('hookstream.webhook_seq_xact', txid_current()::text, true);
        UPDATE webhook_change_seq SET value = value + 1 WHERE id = 1 RETURNING value INTO s;
        PERFORM pg_notify('hookstream_webhook_changes', json_build_object('op', 'SEQ', 'seq', s)::text);
        RETURN NULL;
      END $$ LANGUAGE plpgsql`);
    await db.raw(`
      CREATE CONSTRAINT TRIGGER webhooks_change_seq AFTER INSERT OR UPDATE OR DELETE ON webhooks
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION hookstream_announce_webhook_changes()`);
  },
  async down(db: Knex) {
    await db.raw('DROP TRIGGER IF EXISTS webhooks_change_seq ON webhooks');
    await db.raw('DROP FUNCTION IF EXISTS hookstream_announce_webhook_changes()');
    await db.raw('DROP TABLE IF EXISTS webhook_change_seq');
  },
};
