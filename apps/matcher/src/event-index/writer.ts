import type { Knex } from '@hookstream/service-kit';
import type { DeliveryRow } from '@hookstream/store';
import type { EventRow } from './rows.js';

// Seven parameters per event row: 5000 rows stay well under PostgreSQL's 65 535 bind parameters.
const ROWS_PER_STATEMENT = 5000;

/**
 * Records a slice's events and skipped deliveries: one multi-row insert per table, both
 * idempotent (a redelivered slice inserts nothing new), sent concurrently.
 */
export async function writeEventIndex(db: Knex, events: readonly EventRow[], skipped: readonly DeliveryRow[]): Promise<void> {
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < events.length; i += ROWS_PER_STATEMENT) {
    work.push(
      db('events')
        .insert(events.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict(['tenant_id', 'id'])
        .ignore(),
    );
  }
  for (let i = 0; i < skipped.length; i += ROWS_PER_STATEMENT / 2) {
    work.push(
      db('deliveries')
        .insert(skipped.slice(i, i + ROWS_PER_STATEMENT / 2))
        .onConflict('id')
        .ignore(),
    );
  }
  await Promise.all(work);
}
