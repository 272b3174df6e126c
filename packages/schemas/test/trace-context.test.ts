import {
  createDeadLetter,
  createDeliveryJob,
  decodeDeliveryJobRecord,
  decodeEventRecord,
  encodeDeadLetterRecord,
  encodeDeliveryJobRecord,
  encodeEventRecord,
  envelopeToBinary,
  FirstAttemptJobRecords,
  fixtures,
  nextAttemptJob,
  traceOfJob,
  validTraceparent,
  type CloudEvent,
  type EncodedRecord,
  type IncomingHeaders,
} from '../src/index.js';

const TENANT = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const WEBHOOK = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function wire(record: EncodedRecord): { value: Buffer; headers: IncomingHeaders } {
  return {
    value: Buffer.from(record.value),
    headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])),
  };
}

function event(overrides: Record<string, unknown> = {}): CloudEvent {
  return fixtures.envelope('user-followed', undefined, { id: 'evt-1', tenantid: TENANT, ...overrides }) as CloudEvent;
}

describe('trace context in record headers', () => {
  it('events: the producer span travels as traceparent / tracestate headers and is decoded back', () => {
    const record = encodeEventRecord(event(), { trace: { traceparent: PARENT, tracestate: 'hs=1' } });
    expect(record.headers).toMatchObject({ traceparent: PARENT, tracestate: 'hs=1' });
    const decoded = decodeEventRecord(wire(record));
    expect(decoded.ok && decoded.record.trace).toEqual({ traceparent: PARENT, tracestate: 'hs=1' });
  });

  it('events: without a header, the CloudEvents distributed-tracing extension of the event is the context', () => {
    const structured = decodeEventRecord(wire(encodeEventRecord(event({ traceparent: OTHER, tracestate: 'p=2' }))));
    expect(structured.ok && structured.record.trace).toEqual({ traceparent: OTHER, tracestate: 'p=2' });
    // A header (the span that produced the record) wins over the attribute (where the publisher started).
    const both = decodeEventRecord(wire(encodeEventRecord(event({ traceparent: OTHER }), { trace: { traceparent: PARENT } })));
    expect(both.ok && both.record.trace).toEqual({ traceparent: PARENT });
    const binary = envelopeToBinary(event({ traceparent: OTHER }), 'ce_');
    const fromBinary = decodeEventRecord({ value: Buffer.from(binary.body), headers: binary.headers });
    expect(fromBinary.ok && fromBinary.record.trace).toEqual({ traceparent: OTHER });
  });

  it('events: a malformed context is ignored, never a reason to refuse the event', () => {
    for (const bad of ['garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']) {
      const decoded = decodeEventRecord({ value: Buffer.from(JSON.stringify(event())), headers: { traceparent: bad } });
      expect(decoded.ok).toBe(true);
      expect(decoded.ok && decoded.record.trace).toBeUndefined();
    }
    expect(validTraceparent(PARENT)).toBe(PARENT);
  });

  it('delivery jobs: the matcher context reaches the worker, and the next attempt and the dead letter carry it on', () => {
    const records = new FirstAttemptJobRecords({ event_id: 'evt-1', tenant_id: TENANT, event_type: 'user-followed' });
    const first = records.encode(WEBHOOK, 1, '{"a":1}', undefined, { traceparent: PARENT });
    expect(first.headers.traceparent).toBe(PARENT);
    const decoded = decodeDeliveryJobRecord(wire(first));
    if (!decoded.ok) throw new Error('not decoded');
    expect(traceOfJob(decoded.record)).toEqual({ traceparent: PARENT });
    // Never part of the job's JSON value (the contract).
    expect(JSON.stringify(decoded.record)).not.toContain(PARENT);
    const next = nextAttemptJob(decoded.record, { attempt: 1, at: new Date().toISOString(), duration_ms: 3, status_code: 500 }, Date.now() + 1000);
    expect(encodeDeliveryJobRecord(next).headers.traceparent).toBe(PARENT);
    expect(encodeDeadLetterRecord(createDeadLetter(next, 'retries_exhausted')).headers.traceparent).toBe(PARENT);
  });

  it('delivery jobs without a context get no trace headers', () => {
    const job = createDeliveryJob({ event_id: 'evt-1', tenant_id: TENANT, webhook_id: WEBHOOK, event_type: 'user-followed', body: {} });
    expect(encodeDeliveryJobRecord(job).headers.traceparent).toBeUndefined();
    const decoded = decodeDeliveryJobRecord(wire(encodeDeliveryJobRecord(job)));
    expect(decoded.ok && traceOfJob(decoded.record)).toBeUndefined();
  });
});
