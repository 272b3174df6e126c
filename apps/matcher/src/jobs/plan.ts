import {
  createDeliveryJob,
  createInvalidEventRecord,
  encodeInvalidEventRecord,
  FirstAttemptJobRecords,
  headerStrings,
  type DeliveryJob,
  type EncodedRecord,
  type FilterEvent,
  type NewDeliveryJob,
} from '@hookstream/schemas';
import type { IHeaders } from 'kafkajs';
import { decodeEventMessage, type AcceptedEvent, type InvalidReason } from '../intake/decode.js';
import { matchEvent } from '../matching/rules.js';
import type { SubscriptionIndex } from '../matching/subscription-index.js';
import { bodiesForEvent, renderForWebhook } from '../render/body.js';
import type { EventSpan, EventSpanStarter } from '../tracing/event-spans.js';
import { BUGGY_SKIP_REASON_PREFIX, deliveryRowOf, type DeliveryRow, type EventRow } from '@hookstream/store';

export interface InputMessage {
  offset: string;
  value: Buffer | null;
  headers?: IHeaders;
  /** Kafka timestamp (epoch ms, as a string), i.e. when the event was published. */
  timestamp?: string;
}

/** A record for `deliveries` or `events.invalid`, encoded by its record module in `schemas`. */
export type OutgoingMessage = EncodedRecord;

/** Everything one slice of `events` turns into, before any of it is written anywhere. */
export interface Plan {
  jobs: OutgoingMessage[];
  invalid: OutgoingMessage[];
  eventRows: EventRow[];
  skipped: DeliveryRow[];
  /** The span of each event with its counts, ended once the slice is durable (only when tracing is on). */
  spans: { span: EventSpan; jobs: number; filtered: number; skipped: number }[];
  stats: { consumed: number; matched: number; fanouts: number[]; invalid: InvalidReason[]; skipped: number; filtered: number };
}

// An invalid-event record must itself fit in a Kafka message (1 MiB by default); base64 grows by 4/3.
export const MAX_ORIGINAL_BYTES = 512 * 1024;

/**
 * Pure step of the matcher: decodes, matches and renders a slice of messages of one
 * partition into delivery jobs, invalid-event records and event-index rows.
 */
export function planMessages(
  messages: readonly InputMessage[],
  source: { topic: string; partition: number },
  index: SubscriptionIndex,
  now: Date = new Date(),
  spans?: EventSpanStarter,
): Plan {
  const plan: Plan = {
    jobs: [],
    invalid: [],
    eventRows: [],
    skipped: [],
    spans: [],
    stats: { consumed: 0, matched: 0, fanouts: [], invalid: [], skipped: 0, filtered: 0 },
  };
  for (const message of messages) {
    plan.stats.consumed++;
    const decoded = decodeEventMessage(message);
    if (!decoded.ok) {
      plan.stats.invalid.push(decoded.reason);
      plan.invalid.push(invalidMessage(message, source, decoded.reason, decoded.errors, now));
      continue;
    }
    const span = spans?.start(decoded, { ...source, offset: message.offset });
    // planEvent appends to the plan as it goes; an event that fails part way leaves nothing.
    const jobsBefore = plan.jobs.length;
    const skippedBefore = plan.skipped.length;
    try {
      planEvent(plan, decoded, message, index, now, span);
    } catch (e) {
      plan.jobs.length = jobsBefore;
      plan.skipped.length = skippedBefore;
      span?.fail(`matching failed: ${(e as Error).message}`);
      plan.stats.invalid.push('processing_error');
      plan.invalid.push(invalidMessage(message, source, 'processing_error', [{ path: '', message: `matching failed: ${(e as Error).message}` }], now));
    }
  }
  return plan;
}

/**
 * Matches and renders one valid event, appending its jobs and skipped rows to the plan; its
 * event row, counts and span come last, once nothing can throw any more (the caller takes back
 * the jobs and rows of an event that threw).
 */
function planEvent(plan: Plan, decoded: AcceptedEvent, message: InputMessage, index: SubscriptionIndex, now: Date, span?: EventSpan): void {
  const { event } = decoded;
  const matches = matchEvent(index, decoded);
  const matched: string[] = [];
  const filtered: string[] = [];
  let jobs = 0;
  let skipped = 0;
  if (matches.length > 0) {
    // Every job of the event shares its members and its data: both are serialised once here.
    const shared = sharedJobMembers(decoded, publishedAtOf(message), now);
    const records = new FirstAttemptJobRecords(shared);
    const bodyOf = bodiesForEvent(decoded);
    let view: FilterEvent | undefined;
    for (const match of matches) {
      const sub = match.subscriber;
      if (sub.filter && sub.filter((view ??= filterView(decoded))) !== undefined) {
        filtered.push(sub.id);
        continue;
      }
      matched.push(sub.id);
      if (sub.buggy) {
        const job = createDeliveryJob({ ...shared, webhook_id: sub.id, webhook_revision: sub.revision, body: renderForWebhook(decoded, match) });
        plan.skipped.push(skippedRow(job, now));
        skipped++;
        continue;
      }
      plan.jobs.push(records.encodeFor(sub.job, bodyOf(match), sub.fifo ? orderingKeyOf(event) : undefined, span?.carrier));
      jobs++;
    }
  }
  if (span) plan.spans.push({ span, jobs, filtered: filtered.length, skipped });
  plan.stats.fanouts.push(jobs);
  if (matched.length > 0) plan.stats.matched++;
  plan.stats.skipped += skipped;
  plan.stats.filtered += filtered.length;
  plan.eventRows.push({
    tenant_id: event.tenantid,
    id: event.id,
    type: decoded.type,
    source: event.source,
    subject: event.subject ?? null,
    time: event.time ? new Date(decoded.timeMs ?? event.time) : null,
    matched_webhooks: matched,
    filtered_webhooks: filtered,
  });
}

/** What every job of the event carries, in the members' order of the job record. */
function sharedJobMembers({ event, type }: AcceptedEvent, publishedAt: number | undefined, now: Date): Omit<NewDeliveryJob, 'webhook_id' | 'body'> {
  // What a webhook's transform reads besides id, type and the body (the worker has no other copy of the event).
  const envelope: NonNullable<NewDeliveryJob['envelope']> = { source: event.source };
  if (event.subject !== undefined) envelope.subject = event.subject;
  if (event.time !== undefined) envelope.time = event.time;
  const shared: Omit<NewDeliveryJob, 'webhook_id' | 'body'> = { event_id: event.id, tenant_id: event.tenantid, event_type: type, envelope, now };
  if (publishedAt !== undefined) shared.published_at = publishedAt;
  return shared;
}

/**
 * A FIFO webhook's ordering key: the event's subject; events without one share the tenant's key
 * (''; jobs never cross tenants, so the tenant is implied). The jobs stay keyed by webhook id on
 * `deliveries`, so every key of a webhook is on the webhook's partition in the order the matcher read the events.
 */
function orderingKeyOf(event: { subject?: string }): string {
  return event.subject ?? '';
}

/** What a payload filter reads of an event: the envelope's own type (as published), source, subject, time and data. */
function filterView({ event }: AcceptedEvent): FilterEvent {
  return { type: event.type, source: event.source, subject: event.subject, time: event.time, data: event.data };
}

/** When the event was published (its Kafka timestamp), if the record says. */
function publishedAtOf(message: InputMessage): number | undefined {
  if (message.timestamp === undefined) return undefined;
  const at = Number(message.timestamp);
  return Number.isFinite(at) && at >= 0 ? at : undefined;
}

/** A buggy webhook's delivery: no job is sent, the rendered body is kept for replay. */
function skippedRow(job: DeliveryJob, now: Date): DeliveryRow {
  return { ...deliveryRowOf(job, 'skipped'), last_error: `${BUGGY_SKIP_REASON_PREFIX}: not sent (kept for replay)`, finished_at: now };
}

function invalidMessage(
  message: InputMessage,
  source: { topic: string; partition: number },
  reason: InvalidReason,
  errors: Parameters<typeof createInvalidEventRecord>[0]['errors'],
  now: Date,
): OutgoingMessage {
  const original = message.value ?? Buffer.alloc(0);
  const tooLarge = original.length > MAX_ORIGINAL_BYTES;
  const record = createInvalidEventRecord({
    reason,
    errors: tooLarge
      ? [...errors, { path: '', message: `original truncated to its first ${MAX_ORIGINAL_BYTES} of ${original.length} bytes`, rule: 'too_large' }]
      : errors,
    original: tooLarge ? original.subarray(0, MAX_ORIGINAL_BYTES) : original,
    source: { topic: source.topic, partition: source.partition, offset: message.offset },
    headers: headerStrings(message.headers),
    receivedAt: now,
  });
  return encodeInvalidEventRecord(record);
}
