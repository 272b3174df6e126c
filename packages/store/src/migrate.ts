import type { Knex } from 'knex';
import { migrations } from './migrations/index.js';

export interface Migration {
  name: string;
  /** False for statements PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY). */
  transaction?: boolean;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/**
 * Migrations are listed in code rather than discovered on disk, so they work the
 * same from TypeScript sources, compiled output and a container image.
 */
const source: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => ({ up: m.up, down: m.down, config: { transaction: m.transaction ?? true } }),
};

/** Applies pending migrations; knex's lock table makes concurrent callers safe. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource: source }, true);
}
