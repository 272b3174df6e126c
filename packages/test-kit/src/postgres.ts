import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDb, ensureDatabase, type Knex } from '@hookstream/service-kit';
import pg from 'pg';
import { testInfra, uniqueId } from './environment.js';
import { repoRoot } from './repo-root.js';

export interface TestDatabase {
  url: string;
  db: Knex;
  /** Drops the database (closing every connection to it). */
  drop(): Promise<void>;
}

/** A fresh, migrated database on the test server, private to the caller. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const server = new URL(testInfra().pgServerUrl);
  const name = uniqueId('hs_test_');
  server.pathname = `/${name}`;
  const url = server.toString();
  await ensureDatabase(url);
  const db = createDb(url, 5);
  if (opts.migrate !== false) await migrateToLatest(db);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      const admin = new URL(url);
      admin.pathname = '/postgres';
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * The product's schema, from `@hookstream/store`'s build. test-kit cannot declare store as a
 * dependency (store's own tests use test-kit, and turbo refuses the cycle), so it loads the
 * migrations at run time from the repository, the way `startApp` runs the apps' builds.
 */
async function migrateToLatest(db: Knex): Promise<void> {
  const entry = pathToFileURL(path.join(repoRoot(), 'packages', 'store', 'dist', 'index.js')).href;
  const store = (await import(entry)) as { migrateLatest(db: Knex): Promise<string[]> };
  await store.migrateLatest(db);
}
