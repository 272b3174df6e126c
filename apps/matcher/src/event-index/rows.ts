/** A row of `events`: what GET /v1/events/{id} shows, with the webhooks the event matched. */
export interface EventRow {
  tenant_id: string;
  id: string;
  type: string;
  source: string;
  subject: string | null;
  time: Date | null;
  matched_webhooks: string[];
}

/** A `deliveries` row for a buggy webhook: no job is sent, the rendered body is kept for replay. */
export interface SkippedDeliveryRow {
  id: string;
  tenant_id: string;
  event_id: string;
  webhook_id: string;
  event_type: string;
  status: 'skipped';
  attempts: number;
  last_error: string;
  body: string;
  finished_at: Date;
}
