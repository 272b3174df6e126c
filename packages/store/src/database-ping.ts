import type { Knex } from '@hookstream/service-kit';

/** Resolves once PostgreSQL answers a trivial query: what readiness and liveness checks ask. */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('select 1');
}
