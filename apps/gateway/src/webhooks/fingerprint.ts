import { createHash } from 'node:crypto';
import type { WebhookSpec } from '@hookstream/schemas';

/** The endpoint as compared for identity: scheme and host in lower case, default port dropped. */
function canonicalEndpoint(raw: string): string {
  try {
    return new URL(raw).toString();
  } catch {
    return raw;
  }
}

const sorted = (list: readonly string[] | undefined) => [...(list ?? [])].sort();

/**
 * A stable hash of what makes two webhooks "the same" for a tenant: where they deliver and
 * what they subscribe to (with its payload filter). Options (retries, auth, enabled, tuning) do not count, so
 * registering the same subscription twice is a conflict (409) rather than a second copy.
 */
export function webhookFingerprint(spec: WebhookSpec): string {
  const identity = {
    kind: spec.kind,
    endpoint: canonicalEndpoint(spec.endpoint),
    object: spec.object ?? null,
    events: sorted(spec.events),
    registered_events: { email: sorted(spec.registered_events.email), 'in-app': sorted(spec.registered_events['in-app']) },
    spot_id: spec.spot_id ?? null,
    // A filter narrows the subscription (issue 19.1): one endpoint may take approved and rejected
    // messages through two webhooks. Left out when absent, so fingerprints stored before stay valid.
    ...(spec.filter !== undefined ? { filter: spec.filter } : {}),
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}
