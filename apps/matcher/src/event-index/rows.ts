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
