import type { Knex } from '@hookstream/service-kit';

/**
 * A row as a test inspects it: loosely typed, like the API answers tests read, because an
 * assertion names the columns it checks and a wrong name fails the assertion anyway.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestRow = Record<string, any>;

/** The tables tests inspect directly (the rest are reached through the store's own functions). */
export type InspectedTable =
  | 'tenants'
  | 'api_keys'
  | 'tenant_secrets'
  | 'webhooks'
  | 'events'
  | 'deliveries'
  | 'delivery_attempts'
  | 'ingested_events'
  | 'gateway_rate_demand'
  | 'knex_migrations'
  | 'ui_session_tokens'
  | 'ui_session_revocations';

export async function rowsWhere(db: Knex, table: InspectedTable, where: Record<string, unknown>): Promise<TestRow[]> {
  return (await db(table).where(where)) as TestRow[];
}

export async function firstRowWhere(db: Knex, table: InspectedTable, where: Record<string, unknown>): Promise<TestRow | undefined> {
  return (await db(table).where(where).first()) as TestRow | undefined;
}

/** The rows whose `column` is one of `values` (and that match `where`). */
export async function rowsWhereIn(
  db: Knex,
  table: InspectedTable,
  column: string,
  values: readonly string[],
  where: Record<string, unknown> = {},
): Promise<TestRow[]> {
  return (await db(table)
    .whereIn(column, [...values])
    .andWhere(where)) as TestRow[];
}

export async function countRowsWhere(db: Knex, table: InspectedTable, where: Record<string, unknown>): Promise<number> {
  const row = (await db(table).where(where).count({ n: '*' }).first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/** One column of the matching rows, in no particular order. */
export async function columnWhere(db: Knex, table: InspectedTable, column: string, where: Record<string, unknown>): Promise<unknown[]> {
  return (await db(table).where(where).pluck(column)) as unknown[];
}

export async function tenantRow(db: Knex, id: string): Promise<TestRow | undefined> {
  return firstRowWhere(db, 'tenants', { id });
}

export async function webhookRow(db: Knex, id: string): Promise<TestRow | undefined> {
  return firstRowWhere(db, 'webhooks', { id });
}

export async function deliveryRow(db: Knex, id: string): Promise<TestRow | undefined> {
  return firstRowWhere(db, 'deliveries', { id });
}

/** The attempts of one delivery in the order they were made. */
export async function attemptRowsOf(db: Knex, deliveryId: string): Promise<TestRow[]> {
  return (await db('delivery_attempts').where({ delivery_id: deliveryId }).orderBy(['cycle', 'attempt'])) as TestRow[];
}

/** The webhook change counter the gateway stamps on events (what the matcher compares against). */
export async function webhookChangeSeq(db: Knex): Promise<number> {
  const row = (await db('webhook_change_seq').first('value')) as { value: string | number };
  return Number(row.value);
}

/** How many gateway instances currently report rate demand. */
export async function rateDemandReporters(db: Knex): Promise<number> {
  const row = (await db('gateway_rate_demand').countDistinct({ n: 'instance_id' }).first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/** The names of the migrations applied, in the order they ran. */
export async function appliedMigrations(db: Knex): Promise<string[]> {
  return (await db('knex_migrations').orderBy('id').pluck('name')) as string[];
}
