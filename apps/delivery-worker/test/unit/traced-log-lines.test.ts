import { Writable } from 'node:stream';
import { withTraceContext } from '@hookstream/schemas';
import { createLogger, loadConfig, prom, startTracing, type TracingConfig } from '@hookstream/service-kit';
import { CallSlots } from '../../src/dispatch/call-slots.js';
import { DeliveryProcessor } from '../../src/dispatch/delivery-processor.js';
import { createWorkerMetrics } from '../../src/metrics.js';
import { OtelAttemptSpans } from '../../src/tracing/attempt-spans.js';
import { aJob, aWebhook } from './support/jobs.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const MATCHER = { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` };

/**
 * The real stack of a traced worker: the SDK started as `OTEL_TRACES_EXPORTER=zipkin` configures
 * it (to a port nobody listens on: exporting fails quietly, which is what is wanted here), the
 * attempt spans, and the service logger with its trace mixin writing to a captured destination.
 */
describe('worker log lines with tracing on', () => {
  it('the line about a failed call carries the trace id of the job it was made for', async () => {
    const config: TracingConfig = loadConfig({}, { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://127.0.0.1:9/api/v2/spans' });
    const tracing = await startTracing('delivery-worker', config);
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger('delivery-worker', 'info', destination, { traceIds: true });
    const webhook = aWebhook();
    const processor = new DeliveryProcessor({
      cache: { get: () => webhook, refresh: async () => undefined },
      loadWebhook: async () => webhook,
      caller: { call: () => Promise.reject(new Error('bug in the caller')) },
      audit: { write: async () => undefined },
      router: { schedule: async () => undefined, deadLetter: async () => undefined },
      buggy: { discarded: async () => undefined, succeeded: async () => undefined },
      gone: { gone: async () => undefined },
      metrics: createWorkerMetrics(new prom.Registry()),
      logger,
      batchWaitMs: 10,
      slots: new CallSlots(10),
      spans: new OtelAttemptSpans(tracing),
    });
    await processor.process(withTraceContext(aJob(), MATCHER));
    logger.warn('after the attempt');
    await tracing.shutdown();

    expect(lines.find((l) => l.msg === 'delivery call failed unexpectedly')).toMatchObject({ trace_id: TRACE_ID, level: 'error' });
    expect(lines.find((l) => l.msg === 'after the attempt')).not.toHaveProperty('trace_id');
  });
});
