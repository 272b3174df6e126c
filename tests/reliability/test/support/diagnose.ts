import type { TestSystem } from '@hookstream/test-kit';

/** What PostgreSQL knows of events that did not arrive: written to stderr when a count fails. */
export async function explainMissing(system: TestSystem, tenantId: string, eventIds: string[]): Promise<string> {
  if (eventIds.length === 0) return '';
  const ids = eventIds.slice(0, 20);
  const [events, deliveries, attempts] = await Promise.all([
    system.pg.db('events').where({ tenant_id: tenantId }).whereIn('id', ids).select('id', 'matched_webhooks', 'received_at'),
    system.pg
      .db('deliveries')
      .where({ tenant_id: tenantId })
      .whereIn('event_id', ids)
      .select('id', 'event_id', 'webhook_id', 'status', 'attempts', 'last_status_code', 'last_error', 'cycle'),
    system.pg
      .db('delivery_attempts as a')
      .join('deliveries as d', 'd.id', 'a.delivery_id')
      .where('d.tenant_id', tenantId)
      .whereIn('d.event_id', ids)
      .select('d.event_id', 'a.cycle', 'a.attempt', 'a.outcome', 'a.status_code', 'a.error_message', 'a.started_at'),
  ]);
  return JSON.stringify({ missing: eventIds.length, events, deliveries, attempts }, null, 1);
}
