import { randomBytes } from 'node:crypto';
import {
  freePort,
  startReceiver,
  startSystem,
  startZipkin,
  waitFor,
  zipkinSpansUrl,
  type Receiver,
  type TestSystem,
  type ZipkinServer,
  type ZipkinSpan,
} from '@hookstream/test-kit';
import { event, newTenant, tokenWebhook, type Tenant } from './helpers.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A trace as a publisher starts it: its own trace id and span id, sampled. */
function publisherContext() {
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

const service = (s: ZipkinSpan) => s.localEndpoint?.serviceName;

/**
 * One trace per event, read back from a real Zipkin server (infra/zipkin) that the three apps
 * export to with OpenTelemetry's Zipkin exporter: the gateway's request and produce, the
 * matcher's handling and each delivery attempt, linked through the `traceparent` of the
 * Kafka records. Spans are exported in batches (every 5 s): the test waits for them.
 */
describe('one trace per event, in Zipkin', () => {
  let zipkin: ZipkinServer;
  let system: TestSystem;
  let receiver: Receiver;
  let tenant: Tenant;

  beforeAll(async () => {
    // Zipkin and the apps start side by side: the apps' exporter only needs the address.
    const port = await freePort();
    [zipkin, system, receiver] = await Promise.all([
      startZipkin({ port }),
      startSystem({
        env: { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkinSpansUrl(port), OTEL_TRACES_SAMPLER: 'parentbased_always_on' },
      }),
      startReceiver(),
    ]);
    process.stderr.write(`[tracing.test] Zipkin at ${zipkin.url}: jar resolved in ${zipkin.timings.fetchMs} ms, started in ${zipkin.timings.startMs} ms\n`);
    tenant = await newTenant(system);
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
    await zipkin?.stop();
  });

  /** Waits until Zipkin holds the trace's spans that `complete` asks for. */
  const traceOf = (traceId: string, complete: (spans: ZipkinSpan[]) => boolean) =>
    waitFor(
      async () => {
        const spans = await zipkin.trace(traceId);
        return complete(spans) ? spans : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `the spans of trace ${traceId} in Zipkin` },
    );

  it('follows an event published with an HTTP traceparent through gateway, matcher and worker, with the attempt status', async () => {
    const wh = await tenant.api.createWebhook(tokenWebhook(receiver, '/traced', { email: ['user-followed'] }));
    const publisher = publisherContext();
    const e = event('user-followed', tenant.id);
    await tenant.api.expect(202, 'POST', '/v1/events', e, { traceparent: publisher.traceparent, 'content-type': 'application/cloudevents+json' });
    await receiver.waitForUnique(1, { path: '/traced', timeoutMs: 30_000 });

    const spans = await traceOf(publisher.traceId, (s) => s.some((x) => x.name === 'deliver'));
    const request = spans.find((s) => s.name === 'post /v1/events');
    const produce = spans.find((s) => s.name.startsWith('publish ') && s.parentId === request?.id);
    const matched = spans.find((s) => s.name.startsWith('process ') && s.parentId === produce?.id);
    const attempt = spans.find((s) => s.name === 'deliver' && s.parentId === matched?.id);
    // gateway (request -> produce) -> matcher -> worker, under the publisher's own span.
    expect(request).toMatchObject({ kind: 'SERVER', parentId: publisher.spanId, tags: { 'http.response.status_code': '202', 'http.route': '/v1/events' } });
    expect(service(request!)).toBe('hookstream-gateway');
    expect(produce).toMatchObject({ kind: 'PRODUCER', tags: { 'cloudevents.event_id': e.id } });
    expect(matched).toMatchObject({ kind: 'CONSUMER', tags: { 'cloudevents.event_id': e.id, 'hookstream.jobs': '1' } });
    expect(service(matched!)).toBe('hookstream-matcher');
    expect(attempt).toMatchObject({
      kind: 'CLIENT',
      tags: {
        'http.response.status_code': '200',
        'hookstream.attempt': '1',
        'server.address': '127.0.0.1',
        'hookstream.webhook_id': wh.id,
        'hookstream.outcome': 'delivered',
      },
    });
    expect(service(attempt!)).toBe('hookstream-delivery-worker');
    // Never a credential or a full URL: the token header's value and the endpoint's path appear nowhere.
    const everything = JSON.stringify(spans);
    expect(everything).not.toContain('tok-traced-0123456789');
    expect(everything).not.toContain(`${receiver.url}/traced`);
    // docs/images/trace-zipkin.png is made this way: HOOKSTREAM_TRACE_SCREENSHOT=<file> on this test.
    const picture = process.env.HOOKSTREAM_TRACE_SCREENSHOT;
    if (picture) await zipkin.screenshot(publisher.traceId, picture);
  });

  it('puts every attempt of a retried delivery under the matcher span, each with its status and number', async () => {
    const wh = await tenant.api.createWebhook(tokenWebhook(receiver, '/traced-retry', { email: ['user-followed'] }));
    receiver.behave('/traced-retry', { failTimes: 1, failStatus: 503, status: 200 });
    const publisher = publisherContext();
    await tenant.api.expect(202, 'POST', '/v1/events', event('user-followed', tenant.id), {
      traceparent: publisher.traceparent,
      'content-type': 'application/cloudevents+json',
    });
    await receiver.waitForUnique(1, { path: '/traced-retry', timeoutMs: 60_000 });

    const spans = await traceOf(publisher.traceId, (s) => s.filter((x) => x.name === 'deliver' && x.tags?.['hookstream.webhook_id'] === wh.id).length >= 2);
    const matched = spans.find((s) => s.name.startsWith('process '));
    // The event also reaches the first test's webhook (same type): only this webhook's attempts count.
    const attempts = spans
      .filter((s) => s.name === 'deliver' && s.tags?.['hookstream.webhook_id'] === wh.id)
      .sort((a, b) => Number(a.tags?.['hookstream.attempt']) - Number(b.tags?.['hookstream.attempt']));
    expect(attempts.map((a) => [a.parentId, a.tags?.['hookstream.attempt'], a.tags?.['http.response.status_code']])).toEqual([
      [matched!.id, '1', '503'],
      [matched!.id, '2', '200'],
    ]);
  });

  it('continues the trace of the CloudEvents distributed-tracing extension (traceparent attribute of the event)', async () => {
    await tenant.api.createWebhook(tokenWebhook(receiver, '/traced-ce', { email: ['liked-message'] }));
    const publisher = publisherContext();
    const e = event('liked-message', tenant.id, { traceparent: publisher.traceparent });
    await tenant.api.publish(e);
    await receiver.waitForUnique(1, { path: '/traced-ce', timeoutMs: 30_000 });

    const spans = await traceOf(publisher.traceId, (s) => s.some((x) => x.name === 'deliver'));
    const created = spans.find((s) => s.name.startsWith('create ') && s.parentId === publisher.spanId);
    const matched = spans.find((s) => s.name.startsWith('process ') && s.parentId === created?.id);
    const attempt = spans.find((s) => s.name === 'deliver' && s.parentId === matched?.id);
    expect(created).toMatchObject({ kind: 'PRODUCER', tags: { 'cloudevents.event_id': e.id } });
    expect(attempt?.tags?.['http.response.status_code']).toBe('200');
    // The event itself is delivered as published: the attribute stays on the envelope, not in the body.
    expect(receiver.at('/traced-ce')[0]?.headers.traceparent).toBeUndefined();
  });
});
