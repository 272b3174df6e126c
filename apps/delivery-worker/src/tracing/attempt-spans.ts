import { traceOfJob, type DeliveryJob } from '@hookstream/schemas';
import { SpanKind, SpanStatusCode, type Span, type Tracing } from '@hookstream/service-kit';
import type { WebhookRecord } from '@hookstream/store';
import type { AttemptOutcome } from '../http/webhook-call.js';

/** The spans of one call to an endpoint, ended with its outcome. */
export interface AttemptTrace {
  end(outcome: AttemptOutcome): void;
  /**
   * Runs `fn` (the call and the recording of its outcome) with the attempt's span active, so the
   * log lines written meanwhile carry its `trace_id`. A batched call carries jobs of several
   * traces: the first job's span is the active one (the lines name the webhook, not each event).
   */
  run<T>(fn: () => T): T;
}

/** Opens the spans of an attempt (OtelAttemptSpans); absent when tracing is off. */
export interface AttemptSpanStarter {
  start(webhook: WebhookRecord, jobs: readonly DeliveryJob[]): AttemptTrace;
}

/**
 * `deliver` (a client span) per job of a call, a child of the job record's `traceparent` (the
 * matcher's span of the event; every attempt of a delivery is a child of it, as the retry
 * records carry the same context on). A batched call (content and system webhooks) carries
 * events of several traces: each job gets its own span in its own event's trace, with the
 * batch size and the call's `webhook-id`, rather than one span in one trace and links from the
 * others, so every event's trace shows the attempt that carried it.
 *
 * Attributes: the HTTP status, the attempt number, the endpoint's host (never the path, query
 * or user info of the URL, never a header: they may carry credentials), the outcome.
 */
export class OtelAttemptSpans implements AttemptSpanStarter {
  constructor(private readonly tracing: Tracing) {}

  start(webhook: WebhookRecord, jobs: readonly DeliveryJob[]): AttemptTrace {
    const target = endpointOf(webhook.spec.endpoint);
    const spans: Span[] = jobs.map((job) => {
      const parent = traceOfJob(job);
      return this.tracing.startSpan('deliver', {
        kind: SpanKind.CLIENT,
        ...(parent ? { parent } : {}),
        attributes: {
          'http.request.method': 'POST',
          ...target,
          'hookstream.attempt': job.attempt,
          'hookstream.delivery_id': job.delivery_id,
          'hookstream.webhook_id': webhook.id,
          'hookstream.tenant_id': job.tenant_id,
          'cloudevents.event_id': job.event_id,
          'cloudevents.event_type': job.event_type,
          ...(jobs.length > 1 ? { 'hookstream.batch.size': jobs.length } : {}),
        },
      });
    });
    const tracing = this.tracing;
    return {
      run: (fn) => tracing.withSpan(spans[0]!, fn),
      end(outcome) {
        for (const span of spans) {
          span.setAttribute('hookstream.outcome', outcome.outcome);
          if (outcome.statusCode !== undefined) span.setAttribute('http.response.status_code', outcome.statusCode);
          if (outcome.reauthenticated) span.setAttribute('hookstream.reauthenticated', true);
          if (!outcome.ok) {
            span.setAttribute('error.type', outcome.errorClass ?? String(outcome.statusCode ?? outcome.outcome));
            // The class and status only: an error message may quote the endpoint's answer.
            span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorClass ?? `endpoint answered ${outcome.statusCode}` });
          }
          span.end();
        }
      },
    };
  }
}

/** Host, port and scheme of an endpoint, nothing else of its URL. */
function endpointOf(endpoint: string): Record<string, string | number> {
  try {
    const u = new URL(endpoint);
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return { 'server.address': u.hostname, 'server.port': port, 'url.scheme': u.protocol.replace(':', '') };
  } catch {
    return {};
  }
}
