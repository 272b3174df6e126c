import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

export type { Knex } from 'knex';

// BIGINT counters and timestamps come back as JS values instead of strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createDb(url: string, poolMax = 10): Knex {
  return knexFactory.knex({
    client: 'pg',
    connection: { connectionString: url, application_name: process.env.HOOKSTREAM_SERVICE ?? 'hookstream' },
    // tarn checks for idle connections to close every second (its default) for as long as the pool
    // holds one, and an idle app's periodic queries keep one: a wake-up a second in every app for a
    // 30 s timeout. Every 10 s, an idle connection is closed 30-40 s after its last use.
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000, reapIntervalMillis: 10_000 },
    acquireConnectionTimeout: 10_000,
  });
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error(`database name ${JSON.stringify(name)} is not allowed`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (e) {
      // Another process created it between our check and our create.
      if ((e as { code?: string }).code !== '42P04') throw e;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}
