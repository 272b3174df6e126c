import type { Knex } from '@hookstream/service-kit';
import { insertDeliveriesIfAbsent, type DeliveryRow } from './deliveries/index.js';

/** An event as the matcher indexed it (`events`), with the webhooks it matched. */
export interface IndexedEvent {
  tenant_id: string;
  id: string;
  type: string;
  source: string | null;
  subject: string | null;
  time: Date | null;
  received_at: Date;
  matched_webhooks: string[] | null;
  /** Webhooks the event was routed to whose payload filter rejected it (issue 19.1); none before migration 0013. */
  filtered_webhooks: string[] | null;
}

export async function getIndexedEvent(db: Knex, tenantId: string, eventId: string): Promise<IndexedEvent | undefined> {
  return (await db('events').where({ tenant_id: tenantId, id: eventId }).first()) as IndexedEvent | undefined;
}

/** What the matcher writes to `events` for one event it handled: read back as an IndexedEvent. */
export interface EventRow {
  tenant_id: string;
  id: string;
  type: string;
  source: string;
  subject: string | null;
  time: Date | null;
  matched_webhooks: string[];
  filtered_webhooks: string[];
}

// Eight parameters per event row: 5000 rows stay well under PostgreSQL's 65 535 bind parameters.
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
    work.push(insertDeliveriesIfAbsent(db, skipped.slice(i, i + ROWS_PER_STATEMENT / 2)));
  }
  await Promise.all(work);
}
