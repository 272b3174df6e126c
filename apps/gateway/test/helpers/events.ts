import { fixtures } from '@hookstream/schemas';

/** A valid structured CloudEvent of `type` without `tenantid` (the gateway sets it from the API key). */
export function publishable(type = 'replied-message', overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { tenantid: _t, ...event } = fixtures.envelope(type) as Record<string, unknown>;
  return { ...event, ...overrides };
}
