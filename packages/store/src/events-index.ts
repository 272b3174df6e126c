import type { Knex } from '@hookstream/service-kit';

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
}

export async function getIndexedEvent(db: Knex, tenantId: string, eventId: string): Promise<IndexedEvent | undefined> {
  return (await db('events').where({ tenant_id: tenantId, id: eventId }).first()) as IndexedEvent | undefined;
}
