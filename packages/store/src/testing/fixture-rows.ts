import type { Knex } from '@hookstream/service-kit';

/** Columns of a fixture row; tests state exactly the ones their scenario depends on. */
export type FixtureColumns = Record<string, unknown>;

/**
 * A webhook row with columns the control plane never writes at creation (buggy, failure
 * counts), for tests that start from a state the services would reach only after a while.
 * Returns the row's id (generated when not given).
 */
export async function insertWebhookRow(db: Knex, row: FixtureColumns): Promise<string> {
  const [inserted] = (await db('webhooks').insert(row).returning('id')) as { id: string }[];
  return inserted!.id;
}

/** Event index rows as the matcher would have written them, with times tests choose (retention, history). */
export async function insertEventRows(db: Knex, rows: FixtureColumns | FixtureColumns[]): Promise<void> {
  await db('events').insert(rows);
}

/** Delivery rows as the matcher and the worker would have written them, in any state and at any age. */
export async function insertDeliveryRows(db: Knex, rows: FixtureColumns | FixtureColumns[]): Promise<void> {
  await db('deliveries').insert(rows);
}

/** Recorded HTTP attempts (`delivery_attempts`) of fixture deliveries. */
export async function insertAttemptRows(db: Knex, rows: FixtureColumns | FixtureColumns[]): Promise<void> {
  await db('delivery_attempts').insert(rows);
}
