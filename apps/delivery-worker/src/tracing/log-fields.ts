import { traceIdOf, type TraceCarrier } from '@hookstream/schemas';

/**
 * `trace_id` for a log line about one job or record, from the context it came with: a support
 * ticket quoting the trace id of an event finds the worker's lines about it even when tracing is
 * off in this process (with tracing on, it is the same trace the attempt's span belongs to). Used
 * on warning and error paths only, so the hot path pays nothing; spread it, so that a job without
 * a context leaves the active span's trace id (pino's mixin) in place.
 */
export function traceFields(trace: TraceCarrier | undefined): { trace_id?: string } {
  const id = traceIdOf(trace);
  return id ? { trace_id: id } : {};
}
