import type { TraceCarrier } from '@hookstream/schemas';
import { carrierOf, endWithError, SpanKind, type Tracing } from '@hookstream/service-kit';
import type { AcceptedEvent } from '../intake/decode.js';

/** The matcher's span of one event: its context goes into the event's delivery jobs. */
export interface EventSpan {
  readonly carrier: TraceCarrier | undefined;
  /** The event's jobs are acknowledged by the broker (and its index row written). */
  finish(outcome: { jobs: number; filtered: number; skipped: number }): void;
  fail(message: string): void;
}

/** Opens the handling span of each event (OtelEventSpans); absent when tracing is off. */
export interface EventSpanStarter {
  start(event: AcceptedEvent, source: { topic: string; partition: number; offset: string }): EventSpan;
}

/**
 * `process <topic>` (a consumer span) per event, a child of the record's `traceparent` (the
 * gateway's produce, or the publisher's own context), from matching until the event's jobs are
 * acknowledged: planning, the shared produce request and the index write of its slice.
 */
export class OtelEventSpans implements EventSpanStarter {
  constructor(private readonly tracing: Tracing) {}

  start(decoded: AcceptedEvent, source: { topic: string; partition: number; offset: string }): EventSpan {
    const span = this.tracing.startSpan(`process ${source.topic}`, {
      kind: SpanKind.CONSUMER,
      ...(decoded.trace ? { parent: decoded.trace } : {}),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': source.topic,
        'messaging.destination.partition.id': String(source.partition),
        'messaging.kafka.offset': Number(source.offset),
        'cloudevents.event_id': decoded.event.id,
        'cloudevents.event_type': decoded.type,
        'hookstream.tenant_id': decoded.event.tenantid,
      },
    });
    return {
      carrier: carrierOf(span),
      finish({ jobs, filtered, skipped }) {
        span.setAttributes({ 'hookstream.jobs': jobs, 'hookstream.filtered_webhooks': filtered, 'hookstream.skipped_deliveries': skipped });
        span.end();
      },
      fail: (message) => endWithError(span, message),
    };
  }
}
