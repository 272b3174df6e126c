import type { Knex } from '@hookstream/service-kit';
import { insertDeliveriesIfAbsent, type DeliveryRow } from './deliveries/index.js';
import { pooledQuery } from './pooled-query.js';
import { rowsDocument } from './rows-document.js';

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

// Skipped deliveries are rare (a buggy webhook's jobs); their statement stays a knex insert.
const SKIPPED_ROWS_PER_STATEMENT = 2500;

// Named, so each connection prepares it once (see pooledQuery): it runs for every fetch, and at a
// moderate rate a fetch brings a few events, so parsing and planning it was a fixed cost per fetch.
const INSERT_EVENTS = `INSERT INTO events (tenant_id, id, type, source, subject, time, matched_webhooks, filtered_webhooks)
  SELECT tenant_id, id, type, source, subject, time, COALESCE(matched_webhooks, '{}'), COALESCE(filtered_webhooks, '{}')
  FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id uuid, id text, type text, source text, subject text, time timestamptz,
                                         matched_webhooks uuid[], filtered_webhooks uuid[])
  ON CONFLICT (tenant_id, id) DO NOTHING`;

/**
 * Records a slice's events and skipped deliveries: one insert per table, both idempotent (a
 * redelivered slice inserts nothing new), sent concurrently. The events go as one JSON document
 * (see rowsDocument): as a knex multi-row insert, knex's placeholder rewriting (eight values
 * per event) was the largest part of the matcher's database client CPU (issue #15); the
 * statement goes through pg directly, prepared (knex's query object and runner were about half
 * of what remained, issue #15).
 */
export async function writeEventIndex(db: Knex, events: readonly EventRow[], skipped: readonly DeliveryRow[]): Promise<void> {
  const work: Promise<unknown>[] = [];
  if (events.length > 0) work.push(pooledQuery(db, INSERT_EVENTS, [rowsDocument(events)], 'hookstream_insert_events'));
  for (let i = 0; i < skipped.length; i += SKIPPED_ROWS_PER_STATEMENT) {
    work.push(insertDeliveriesIfAbsent(db, skipped.slice(i, i + SKIPPED_ROWS_PER_STATEMENT)));
  }
  await Promise.all(work);
}
