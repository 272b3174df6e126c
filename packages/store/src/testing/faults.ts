import type { Knex } from '@hookstream/service-kit';
import type { FixtureColumns } from './fixture-rows.js';

/**
 * Makes the event index unwritable, as if PostgreSQL refused writes, so a test can check the
 * matcher waits instead of skipping. Returns the function that puts the table back; calling
 * it twice is harmless, so a test can call it both on its path and in `finally`.
 */
export async function hideEventsTable(db: Knex): Promise<() => Promise<void>> {
  await db.raw('ALTER TABLE events RENAME TO events_away');
  let restored = false;
  return async () => {
    if (restored) return;
    await db.raw('ALTER TABLE events_away RENAME TO events');
    restored = true;
  };
}

/**
 * Changes a webhook (revision bumped) without any change notification reaching listeners:
 * simulates a change feed that is late, so a test sees what a service does when a job names
 * a newer revision than its cache holds. Returns the new revision.
 */
export async function changeWebhookUnannounced(db: Knex, id: string, patch: FixtureColumns): Promise<number> {
  await db.transaction(async (trx) => {
    // With replication role "replica" no trigger fires for this transaction: no notification.
    await trx.raw('SET LOCAL session_replication_role = replica');
    await trx('webhooks')
      .where({ id })
      .update({ ...patch, revision: trx.raw('revision + 1') });
  });
  const row = (await db('webhooks').where({ id }).first('revision')) as { revision: string | number };
  return Number(row.revision);
}

/** Changes a webhook as the API does (revision bumped, updated_at refreshed), with the columns a test chooses. */
export async function bumpWebhookRevision(db: Knex, id: string, patch: FixtureColumns): Promise<void> {
  await db('webhooks')
    .where({ id })
    .update({ ...patch, revision: db.raw('revision + 1'), updated_at: db.fn.now() });
}

/**
 * Overwrites webhook columns directly, without the revision bump the API makes: puts a webhook
 * into a state (buggy, a spec the API would refuse, a marker value) tests need to start from.
 */
export async function overwriteWebhookColumns(db: Knex, id: string, patch: FixtureColumns): Promise<void> {
  await db('webhooks').where({ id }).update(patch);
}

/** Removes a webhook row behind the API's back (no system event), as a matcher test of the change feed needs. */
export async function deleteWebhookRow(db: Knex, id: string): Promise<void> {
  await db('webhooks').where({ id }).delete();
}

/**
 * Replaces a tenant's key hashes behind the caches' back: the change is not announced (triggers
 * off for this transaction), so tests can tell a cached answer from a database read.
 */
export async function replaceTenantKeyHash(db: Knex, id: string, apiKeyHash: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('SET LOCAL session_replication_role = replica');
    await trx('api_keys').where({ tenant_id: id }).update({ key_hash: apiKeyHash });
  });
}
