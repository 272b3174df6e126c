import { traceOfEvent, type CloudEvent, type TraceCarrier } from '@hookstream/schemas';
import { carrierOf, endWithError, SpanKind, type Span, type Tracing } from '@hookstream/service-kit';
import type { IngestTracer, ProduceTrace } from './ingest-service.js';

/**
 * The spans of one produce of accepted events, and the context each record carries on.
 *
 * The produce is one span (`publish <topic>`, a child of the request's span, so of the
 * publisher's HTTP `traceparent`). A record's `traceparent` is that span, unless the event
 * carries its own context (the CloudEvents distributed-tracing extension): then the event gets a
 * `create <topic>` span in its own trace, linked to the produce, and the record carries that.
 * So every event of a batch stays in the trace its publisher started it in, and an event
 * without one shares the trace of the request that brought it (the OpenTelemetry messaging
 * conventions' create / publish spans).
 */
export class OtelIngestTracer implements IngestTracer {
  constructor(
    private readonly tracing: Tracing,
    private readonly topic: string,
  ) {}

  begin(events: readonly CloudEvent[]): ProduceTrace {
    const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': this.topic };
    const produce = this.tracing.startSpan(`publish ${this.topic}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...attributes,
        'messaging.operation.type': 'send',
        'messaging.batch.message_count': events.length,
        ...(events.length === 1 ? { 'cloudevents.event_id': events[0]!.id, 'cloudevents.event_type': events[0]!.type } : {}),
      },
    });
    const own = carrierOf(produce);
    const spans: Span[] = [produce];
    const carriers = events.map((event): TraceCarrier | undefined => {
      const fromPublisher = traceOfEvent(event);
      if (!fromPublisher) return own;
      const create = this.tracing.startSpan(`create ${this.topic}`, {
        kind: SpanKind.PRODUCER,
        parent: fromPublisher,
        links: [own],
        attributes: { ...attributes, 'messaging.operation.type': 'create', 'cloudevents.event_id': event.id, 'cloudevents.event_type': event.type },
      });
      spans.push(create);
      return carrierOf(create);
    });
    return {
      carriers,
      end(error?: string) {
        for (const span of spans.reverse()) {
          if (error) endWithError(span, error);
          else span.end();
        }
      },
    };
  }
}
