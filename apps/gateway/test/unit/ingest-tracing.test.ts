import { fixtures, type CloudEvent, type TraceCarrier } from '@hookstream/schemas';
import { prom } from '@hookstream/service-kit';
import type { Message } from 'kafkajs';
import { createGatewayMetrics } from '../../src/http/metrics.js';
import { intakeEvent } from '../../src/ingest/event-intake.js';
import { IngestService, type IngestTracer } from '../../src/ingest/ingest-service.js';

const TENANT = '5b7a4c1e-0000-4000-8000-000000000001';
const ctx = (n: number): TraceCarrier => ({ traceparent: `00-${String(n).padStart(32, '0')}-${String(n).padStart(16, '0')}-01` });

/** Records what the service asks of the tracer: the events of each produce and how it ended. */
class FakeTracer implements IngestTracer {
  readonly produces: { events: string[]; ended?: string }[] = [];
  begin(events: readonly CloudEvent[]) {
    const entry: { events: string[]; ended?: string } = { events: events.map((e) => e.id) };
    this.produces.push(entry);
    return { carriers: events.map((_, k) => (k === 1 ? undefined : ctx(k + 1))), end: (error?: string) => void (entry.ended = error ?? 'ok') };
  }
}

function setup(refuse = false) {
  const sent: Message[][] = [];
  const tracer = new FakeTracer();
  const service = new IngestService(
    { claim: async (_t, ids) => ({ fresh: new Set(ids), webhookSeq: 3 }), confirm: async () => undefined, release: async () => undefined },
    {
      publish: async (_topic, messages) => {
        if (refuse) throw new Error('no acknowledgement');
        sent.push(messages);
      },
    },
    't.events',
    createGatewayMetrics(new prom.Registry()),
    { error: () => undefined, warn: () => undefined },
    tracer,
  );
  return { service, sent, tracer };
}

const intake = (id: string) => {
  const { tenantid: _t, ...event } = fixtures.envelope('replied-message', undefined, { id });
  return intakeEvent(event, TENANT, 262_144);
};

describe('IngestService with tracing', () => {
  it('gives each record the context the tracer hands out for its event, and ends the produce once acknowledged', async () => {
    const t = setup();
    await t.service.publish(TENANT, [intake('e1'), intake('e2'), intake('e3')]);
    expect(t.tracer.produces).toEqual([{ events: ['e1', 'e2', 'e3'], ended: 'ok' }]);
    const headers = t.sent[0]!.map((m) => m.headers as Record<string, string>);
    expect(headers.map((h) => h.traceparent)).toEqual([ctx(1).traceparent, undefined, ctx(3).traceparent]);
    // The other headers stay as they were.
    expect(headers[0]).toMatchObject({ 'content-type': 'application/cloudevents+json', 'hookstream-webhooks-seq': '3' });
  });

  it('ends the produce with the error when the broker does not acknowledge', async () => {
    const t = setup(true);
    await expect(t.service.publish(TENANT, [intake('e1')])).rejects.toThrow(/did not acknowledge/);
    expect(t.tracer.produces).toEqual([{ events: ['e1'], ended: 'no acknowledgement' }]);
  });
});
