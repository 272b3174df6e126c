import type { DeliveryJob } from '../jobs.js';
import { firstHeader, type IncomingHeaders } from './kafka-record.js';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as it travels between hookstream's
 * processes: the `traceparent` and `tracestate` headers of a Kafka record, named exactly as the
 * HTTP headers and as the CloudEvents distributed-tracing extension attributes, so a record
 * produced by anyone who propagates W3C context continues the same trace.
 *
 * Only the text travels here: `schemas` knows nothing of OpenTelemetry. A context that does not
 * parse is ignored (the trace starts afresh), never a reason to refuse the record.
 */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

// version-traceid-parentid-flags; version ff is forbidden, all-zero ids are invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** The W3C limit on tracestate is 32 members; 512 characters is what implementations must propagate. */
const MAX_TRACESTATE = 512;

/** The `traceparent` if it is one (a future version's extra fields are allowed, as the spec asks); otherwise undefined. */
export function validTraceparent(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 256) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId] = m;
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  // Version 00 has exactly four fields.
  if (version === '00' && m[5] !== undefined) return undefined;
  return value.trim();
}

function carrierOf(traceparent: unknown, tracestate: unknown): TraceCarrier | undefined {
  const parent = validTraceparent(traceparent);
  if (!parent) return undefined;
  const state = typeof tracestate === 'string' && tracestate.length > 0 && tracestate.length <= MAX_TRACESTATE ? tracestate : undefined;
  return state ? { traceparent: parent, tracestate: state } : { traceparent: parent };
}

/** The trace context of a Kafka record's headers, or undefined when it carries none (or a malformed one). */
export function readTraceHeaders(headers: IncomingHeaders | undefined): TraceCarrier | undefined {
  if (!headers) return undefined;
  const parent = firstHeader(headers, TRACEPARENT_HEADER);
  if (parent === undefined) return undefined;
  return carrierOf(parent, firstHeader(headers, TRACESTATE_HEADER));
}

/** The trace id of a context (what log lines quote as `trace_id`), or undefined without one. */
export function traceIdOf(trace: TraceCarrier | undefined): string | undefined {
  // A carrier holds a valid traceparent: version, '-', then the 32 hex digits of the trace id.
  return trace?.traceparent.slice(3, 35);
}

/** Adds the context to headers being encoded (no-op without one). */
export function writeTraceHeaders(headers: Record<string, string>, trace: TraceCarrier | undefined): void {
  if (!trace) return;
  headers[TRACEPARENT_HEADER] = trace.traceparent;
  if (trace.tracestate) headers[TRACESTATE_HEADER] = trace.tracestate;
}

/**
 * The context a publisher put on the event itself: the CloudEvents distributed-tracing
 * extension (`traceparent` / `tracestate` attributes), which stays with the event wherever it is
 * stored or forwarded.
 */
export function traceOfEvent(event: { [attribute: string]: unknown }): TraceCarrier | undefined {
  if (event.traceparent === undefined) return undefined;
  return carrierOf(event.traceparent, event.tracestate);
}

/**
 * Where a decoded delivery job keeps the context of the record it came from. A symbol, so the
 * context travels with the job in memory (copies made with spread, such as the next attempt's
 * job, keep it) and is written back to the headers of any record made from the job, but never
 * becomes part of the job's JSON value, which is the contract.
 */
export const TRACE_CONTEXT: unique symbol = Symbol('hookstream.trace-context');

type Traced = { [TRACE_CONTEXT]?: TraceCarrier };

/** The trace context a job was read with (or given by {@link withTraceContext}), if any. */
export function traceOfJob(job: DeliveryJob): TraceCarrier | undefined {
  return (job as DeliveryJob & Traced)[TRACE_CONTEXT];
}

/** The job, carrying `trace` from now on (in place: the job is the same object). */
export function withTraceContext<J extends DeliveryJob>(job: J, trace: TraceCarrier | undefined): J {
  if (trace) (job as J & Traced)[TRACE_CONTEXT] = trace;
  return job;
}
