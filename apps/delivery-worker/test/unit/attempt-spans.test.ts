import { AsyncLocalStorage } from 'node:async_hooks';
import { prom } from '@hookstream/service-kit';
import { encodeDeliveryJobRecord, traceOfJob, withTraceContext, type DeliveryJob } from '@hookstream/schemas';
import { CallSlots } from '../../src/dispatch/call-slots.js';
import { DeliveryProcessor } from '../../src/dispatch/delivery-processor.js';
import type { AttemptOutcome } from '../../src/http/webhook-call.js';
import { createWorkerMetrics } from '../../src/metrics.js';
import type { AttemptSpanStarter } from '../../src/tracing/attempt-spans.js';
import { aJob, aWebhook, recordingLogger } from './support/jobs.js';

const MATCHER = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
const outcome = (statusCode: number): AttemptOutcome => ({
  startedAt: new Date(),
  durationMs: 5,
  statusCode,
  ok: statusCode < 300,
  outcome: statusCode < 300 ? 'delivered' : 'http_error',
  retryable: true,
  reauthenticated: false,
});

/** Records the spans the processor opens: the jobs' contexts and the outcome each call ended with. */
function setup(outcomes: AttemptOutcome[], batchSize = 1) {
  const opened: { parents: (string | undefined)[]; attempts: number[]; status?: number }[] = [];
  const spans: AttemptSpanStarter = {
    start(_webhook, jobs) {
      const entry: (typeof opened)[number] = { parents: jobs.map((j) => traceOfJob(j)?.traceparent), attempts: jobs.map((j) => j.attempt) };
      opened.push(entry);
      return { end: (o) => void (entry.status = o.statusCode), run: (fn) => fn() };
    },
  };
  const scheduled: DeliveryJob[] = [];
  const webhook = aWebhook({}, batchSize > 1 ? { batch_size: batchSize } : {});
  const processor = new DeliveryProcessor({
    cache: { get: () => webhook, refresh: async () => undefined },
    loadWebhook: async () => webhook,
    caller: { call: async () => outcomes.shift()! },
    audit: { write: async () => undefined },
    router: { schedule: async (job) => void scheduled.push(job), deadLetter: async () => undefined },
    buggy: { discarded: async () => undefined, succeeded: async () => undefined },
    gone: { gone: async () => undefined },
    metrics: createWorkerMetrics(new prom.Registry()),
    logger: recordingLogger(),
    batchWaitMs: 10,
    slots: new CallSlots(10),
    spans,
  });
  return { processor, opened, scheduled };
}

describe('DeliveryProcessor with tracing', () => {
  it('opens the attempt span under the job context, ends it with the status, and the retry record carries the same context', async () => {
    const t = setup([outcome(503)]);
    await t.processor.process(withTraceContext(aJob(), MATCHER));
    expect(t.opened).toEqual([{ parents: [MATCHER.traceparent], attempts: [1], status: 503 }]);
    expect(t.scheduled).toHaveLength(1);
    expect(encodeDeliveryJobRecord(t.scheduled[0]!).headers.traceparent).toBe(MATCHER.traceparent);
  });

  it('gives each job of a batched call its own parent (one span per event trace)', async () => {
    const t = setup([outcome(200)], 2);
    const other = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    await Promise.all([
      t.processor.process(withTraceContext(aJob({ event_id: 'e1', delivery_id: '11111111-1111-4111-8111-111111111111' }), MATCHER)),
      t.processor.process(withTraceContext(aJob({ event_id: 'e2', delivery_id: '22222222-2222-4222-8222-222222222222' }), other)),
    ]);
    expect(t.opened).toEqual([{ parents: [MATCHER.traceparent, other.traceparent], attempts: [1, 1], status: 200 }]);
  });
});

/**
 * The span starter's `run` stands for `Tracing.withSpan`: a fake context (AsyncLocalStorage) holds
 * the trace id, and the logger records the context each line is written in, as the pino mixin does.
 */
function tracedSetup(deps: { call: () => Promise<AttemptOutcome>; auditFails?: boolean; tracingOff?: boolean }) {
  const active = new AsyncLocalStorage<string>();
  const lines: { msg: string; trace_id: string | undefined }[] = [];
  // The trace id of the line: the one given explicitly, else the active one (pino's mixin does the same).
  const at = (fields: { trace_id?: string }, msg?: string): void => void lines.push({ msg: msg ?? '', trace_id: fields.trace_id ?? active.getStore() });
  const spans: AttemptSpanStarter = {
    start: (_webhook, jobs) => ({
      end: () => undefined,
      run: (fn) => active.run(traceOfJob(jobs[0]!)!.traceparent.split('-')[1]!, fn),
    }),
  };
  const tracingOff = deps.tracingOff ?? false;
  const webhook = aWebhook();
  const processor = new DeliveryProcessor({
    cache: { get: () => webhook, refresh: async () => undefined },
    loadWebhook: async () => webhook,
    caller: { call: deps.call },
    audit: { write: async () => (deps.auditFails ? Promise.reject(new Error('database away')) : undefined) },
    router: { schedule: async () => undefined, deadLetter: async () => undefined },
    buggy: { discarded: async () => undefined, succeeded: async () => undefined },
    gone: { gone: async () => undefined },
    metrics: createWorkerMetrics(new prom.Registry()),
    logger: { warn: at, error: at },
    batchWaitMs: 10,
    slots: new CallSlots(10),
    ...(tracingOff ? {} : { spans }),
  });
  return { processor, lines };
}

const waitFor = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('DeliveryProcessor log lines during a traced attempt', () => {
  const TRACE_ID = MATCHER.traceparent.split('-')[1];

  it('carry the trace id of the attempt when the call fails unexpectedly', async () => {
    const t = tracedSetup({ call: () => Promise.reject(new Error('bug')) });
    await t.processor.process(withTraceContext(aJob(), MATCHER));
    expect(t.lines).toContainEqual({ msg: 'delivery call failed unexpectedly', trace_id: TRACE_ID });
  });

  it('carry the trace id of the attempt when its outcome cannot be recorded', async () => {
    const t = tracedSetup({ call: async () => outcome(200), auditFails: true });
    void t.processor.process(withTraceContext(aJob(), MATCHER));
    await waitFor(() => t.lines.length > 0);
    expect(t.lines).toContainEqual({ msg: 'could not record the outcome of a delivery', trace_id: TRACE_ID });
  });

  it("with tracing off in this process, carry the trace id of the job's traceparent from upstream", async () => {
    const call = tracedSetup({ call: () => Promise.reject(new Error('bug')), tracingOff: true });
    await call.processor.process(withTraceContext(aJob(), MATCHER));
    expect(call.lines).toContainEqual({ msg: 'delivery call failed unexpectedly', trace_id: TRACE_ID });
    const record = tracedSetup({ call: async () => outcome(200), auditFails: true, tracingOff: true });
    void record.processor.process(withTraceContext(aJob(), MATCHER));
    await waitFor(() => record.lines.length > 0);
    expect(record.lines).toContainEqual({ msg: 'could not record the outcome of a delivery', trace_id: TRACE_ID });
  });
});
