import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { carrierOf, ConfigError, createLogger, loadConfig, SpanKind, startTracing, type Tracing, type TracingConfig } from '../src/index.js';

const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
const PARENT = `00-${PARENT_TRACE}-${PARENT_SPAN}-01`;

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

/** A real HTTP endpoint standing in for Zipkin's collector: it keeps what the exporter POSTs to /api/v2/spans. */
async function collector(): Promise<{ url: string; spans: ZipkinSpan[]; close(): Promise<void> }> {
  const spans: ZipkinSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/api/v2/spans') spans.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ZipkinSpan[]));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/v2/spans`, spans, close: () => new Promise((r) => server.close(() => r())) };
}

function configOf(vars: Record<string, string>): TracingConfig {
  return loadConfig({}, vars);
}

describe('tracing configuration (OTEL_*)', () => {
  it('is off by default: no SDK, no span context to propagate', async () => {
    const tracing = await startTracing('gateway', configOf({}));
    expect(tracing.enabled).toBe(false);
    expect(carrierOf(tracing.startSpan('x'))).toBeUndefined();
    expect((await startTracing('gateway', configOf({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_SDK_DISABLED: 'true' }))).enabled).toBe(false);
  });

  it.each([
    ['OTEL_TRACES_EXPORTER', 'jaeger', /OTEL_TRACES_EXPORTER must be one of none, zipkin, otlp, console/],
    ['OTEL_TRACES_SAMPLER', 'sometimes', /OTEL_TRACES_SAMPLER must be one of always_on/],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5', /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/],
    ['OTEL_EXPORTER_ZIPKIN_ENDPOINT', 'zipkin:9411', /OTEL_EXPORTER_ZIPKIN_ENDPOINT must be an http\(s\) URL/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'ftp://collector', /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/],
  ])('refuses %s=%s at start with the variable and the rule', (name, value, message) => {
    expect(() => configOf({ [name]: value })).toThrow(ConfigError);
    expect(() => configOf({ [name]: value })).toThrow(message);
  });
});

describe('tracing on (Zipkin exporter)', () => {
  let sink: Awaited<ReturnType<typeof collector>>;
  let tracing: Tracing;

  beforeAll(async () => {
    sink = await collector();
    tracing = await startTracing('gateway', configOf({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: sink.url }));
  });
  afterAll(() => sink.close());

  it('continues a remote traceparent, hands on its own context, links, and logs trace_id while a span is active', async () => {
    expect(tracing.enabled).toBe(true);
    const lines: string[] = [];
    const logger = createLogger(
      'gateway',
      'info',
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
      { traceIds: true },
    );
    const server = tracing.startSpan('POST /v1/events', { kind: SpanKind.SERVER, parent: { traceparent: PARENT } });
    const carrier = carrierOf(server);
    expect(carrier?.traceparent).toMatch(new RegExp(`^00-${PARENT_TRACE}-[0-9a-f]{16}-01$`));
    tracing.withSpan(server, () => {
      logger.info('inside');
      const produce = tracing.startSpan('events publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.batch.message_count': 1 } });
      produce.end();
    });
    logger.info('outside');
    const other = tracing.startSpan('linked', { links: [carrier] });
    other.end();
    server.end();
    await tracing.shutdown();

    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'inside', trace_id: PARENT_TRACE });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('trace_id');
    const byName = new Map(sink.spans.map((s) => [s.name, s]));
    const serverSpan = byName.get('post /v1/events') ?? byName.get('POST /v1/events');
    expect(serverSpan).toMatchObject({ traceId: PARENT_TRACE, parentId: PARENT_SPAN, kind: 'SERVER', localEndpoint: { serviceName: 'hookstream-gateway' } });
    const produceSpan = byName.get('events publish');
    expect(produceSpan).toMatchObject({ traceId: PARENT_TRACE, parentId: serverSpan!.id, kind: 'PRODUCER' });
    // The linked span starts its own trace.
    expect(byName.get('linked')?.traceId).not.toBe(PARENT_TRACE);
  });
});
