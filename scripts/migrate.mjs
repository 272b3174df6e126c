#!/usr/bin/env node
// Creates the database when missing and applies every pending migration.
import { createDb, ensureDatabase, safeUrl } from '@hookstream/service-kit';
import { migrateLatest } from '@hookstream/store';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hookstream';
try {
  const created = await ensureDatabase(url);
  const db = createDb(url, 2);
  try {
    const applied = await migrateLatest(db);
    console.log(`migrate: ${safeUrl(url)}${created ? ' (created)' : ''}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  } finally {
    await db.destroy();
  }
} catch (e) {
  console.error(`migrate: ${safeUrl(url)}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
