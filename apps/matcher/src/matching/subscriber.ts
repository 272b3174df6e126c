import {
  compileFilter,
  jobWebhook,
  NOTIFICATION_CHANNELS,
  type CompiledFilter,
  type JobWebhook,
  type NotificationChannel,
  type NotificationType,
} from '@hookstream/schemas';
import type { WebhookKind, WebhookRecord } from '@hookstream/store';

/**
 * What matching needs to know about one webhook, precomputed once when the webhook is
 * indexed so that the per-event work is set lookups only.
 */
export interface Subscriber {
  id: string;
  tenantId: string;
  kind: WebhookKind;
  buggy: boolean;
  /** The webhook row's revision: jobs carry it so the worker never calls with an older configuration. */
  revision: number;
  /** The job record's members naming this webhook (id and revision), serialised once here rather than per job. */
  job: JobWebhook;
  /** `${HOOKSTREAM_PUBLIC_URL}/v1/webhooks/<id>`: the `webhook` field of activity bodies. */
  uri: string;
  /** `uri` as JSON, for the bodies of activities (serialised once here rather than per job). */
  uriJson: string;
  /** Notification webhooks bound to one spot receive only that spot's events. */
  spotId?: string;
  /** Notification types registered per channel (canonical names). */
  registered: Record<NotificationChannel, ReadonlySet<NotificationType>>;
  /** Content webhooks: the watched container or object URI. */
  object?: string;
  /** Content webhooks: lower-case content types to keep; undefined keeps every type. */
  contentTypes?: ReadonlySet<string>;
  /** System webhooks: subscribed categories. */
  categories: readonly string[];
  /** `ordering: fifo`: its jobs carry the event's ordering key. */
  fifo?: true;
  /** The payload filter (issue 19.1), compiled once here: undefined passes, a path names the failed condition. */
  filter?: CompiledFilter;
}

// Shared by every webhook that registered nothing on a channel (all content and system ones).
const NONE: ReadonlySet<NotificationType> = new Set();

export function webhookUri(publicUrl: string, webhookId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/webhooks/${webhookId}`;
}

export function subscriberOf(record: WebhookRecord, publicUrl: string): Subscriber {
  const spec = record.spec;
  const registered = {} as Record<NotificationChannel, ReadonlySet<NotificationType>>;
  for (const c of NOTIFICATION_CHANNELS) {
    const types = spec.registered_events?.[c];
    registered[c] = types && types.length > 0 ? new Set<NotificationType>(types) : NONE;
  }
  const uri = webhookUri(publicUrl, record.id);
  const sub: Subscriber = {
    id: record.id,
    tenantId: record.tenantId,
    kind: record.kind,
    buggy: record.buggy,
    revision: record.revision,
    job: jobWebhook(record.id, record.revision),
    uri,
    uriJson: JSON.stringify(uri),
    registered,
    categories: record.kind === 'system' ? [...(spec.events ?? [])] : [],
  };
  if (spec.ordering === 'fifo') sub.fifo = true;
  if (record.kind === 'notification' && spec.spot_id) sub.spotId = spec.spot_id;
  if (spec.filter !== undefined) sub.filter = filterOf(spec.filter);
  if (record.kind === 'content') {
    const object = record.object ?? spec.object;
    if (object) sub.object = object;
    const types = (spec.events ?? []).map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0);
    if (types.length > 0) sub.contentTypes = new Set(types);
  }
  return sub;
}

/**
 * The gateway checked the filter; one that no longer compiles (a row written by hand, a rule
 * tightened since) rejects every event rather than delivering what the partner filtered out.
 */
function filterOf(filter: unknown): CompiledFilter {
  try {
    return compileFilter(filter);
  } catch {
    return () => '';
  }
}
