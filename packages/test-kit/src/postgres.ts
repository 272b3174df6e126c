import { createDb, ensureDatabase, migrateLatest, type Knex } from '@hookstream/service-kit';
import pg from 'pg';
import { testInfra, uniqueId } from './environment.js';

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
  if (opts.migrate !== false) await migrateLatest(db);
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
