import {
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { env, type ConfigOf, type Reader } from '../config/env.js';

export { SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';

/**
 * OpenTelemetry tracing of hookstream's own code paths, configured only by the standard
 * `OTEL_*` variables. Unlike the OpenTelemetry default (`otlp`), the exporter defaults to
 * `none`: then no SDK is loaded or started and {@link Tracing.enabled} is false, which is the one
 * cheap check the apps make on a hot path before any per-event tracing work. Nothing is
 * auto-instrumented (HTTP, kafkajs, pg would add spans and CPU to every call); the apps open the
 * spans that follow an event: the ingest request, the produce, the matcher's handling, each
 * delivery attempt.
 *
 * Context travels between processes as W3C `traceparent` / `tracestate`, in Kafka record
 * headers (written and read by the record modules of `@hookstream/schemas`) and in HTTP headers.
 */

export const TRACES_EXPORTERS = ['none', 'zipkin', 'otlp', 'console'] as const;
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

function httpUrl(): Reader<string | undefined> {
  return {
    parse: (raw) => {
      if (raw === undefined) return undefined;
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw 'must be an http(s) URL';
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw 'must be an http(s) URL';
      return raw;
    },
  };
}

function ratio(): Reader<number | undefined> {
  return {
    parse: (raw) => {
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw 'must be a number from 0 to 1 (the share of traces sampled)';
      return n;
    },
  };
}

/** The variables read here; every app validates them at start like its other settings. */
export const tracingConfigSpec = {
  OTEL_SDK_DISABLED: env.bool(false),
  OTEL_TRACES_EXPORTER: env.oneOf(TRACES_EXPORTERS, 'none'),
  OTEL_SERVICE_NAME: env.optionalString({ pattern: /^[A-Za-z0-9._/-]{1,100}$/, rule: 'letters, digits, ".", "_", "/" or "-"' }),
  OTEL_TRACES_SAMPLER: env.oneOf(TRACES_SAMPLERS, 'parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: ratio(),
  // Read by the exporters themselves; checked here so a typo stops the process at start.
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: httpUrl(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl(),
};

export type TracingConfig = ConfigOf<typeof tracingConfigSpec>;

/** The W3C context of a span as it is written to Kafka record headers (see `@hookstream/schemas` trace-context). */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

export interface SpanOptions {
  kind?: SpanKind;
  /** The remote parent (a record's or a request's `traceparent`); without one, the active span, else a new trace. */
  parent?: TraceCarrier;
  attributes?: Attributes;
  /** Other traces this span belongs to as well (batches). */
  links?: readonly (TraceCarrier | undefined)[];
}

// The W3C propagator is registered with the API when the SDK starts (it is loaded only then):
// with tracing off, injecting gives nothing and extracting gives no parent.
const setter: TextMapSetter<Partial<TraceCarrier>> = {
  set: (carrier, key, value) => {
    if (key === 'traceparent' || key === 'tracestate') carrier[key] = value;
  },
};
const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (key === 'traceparent' || key === 'tracestate' ? carrier[key] : undefined),
};

/** What the process does about tracing: nothing at all when off. */
export class Tracing {
  private constructor(
    /** False when tracing is off: callers skip every span (the one check on a hot path). */
    readonly enabled: boolean,
    private readonly tracer: Tracer,
    private readonly flush: () => Promise<void>,
  ) {}

  /** Tracing off: no SDK, every method a no-op. */
  static off(): Tracing {
    return new Tracing(false, trace.getTracer('hookstream'), () => Promise.resolve());
  }

  /** @internal the started SDK's tracer. */
  static on(tracer: Tracer, flush: () => Promise<void>): Tracing {
    return new Tracing(true, tracer, flush);
  }

  /** Starts a span (not made active: see {@link withSpan}). */
  startSpan(name: string, options: SpanOptions = {}): Span {
    const parent = options.parent ? contextOf(options.parent) : otelContext.active();
    const links: Link[] = [];
    for (const l of options.links ?? []) {
      const span = l && trace.getSpanContext(contextOf(l));
      if (span) links.push({ context: span });
    }
    return this.tracer.startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}), ...(links.length ? { links } : {}) },
      parent,
    );
  }

  /** Runs `fn` with `span` active: log lines written meanwhile carry its trace id, child spans nest under it. */
  withSpan<T>(span: Span, fn: () => T): T {
    return otelContext.with(trace.setSpan(otelContext.active(), span), fn);
  }

  /** Exports what is buffered (at shutdown). */
  shutdown(): Promise<void> {
    return this.flush();
  }
}

/** The context of a span for the next hop's `traceparent`, or undefined for an invalid span (tracing off). */
export function carrierOf(span: Span | undefined): TraceCarrier | undefined {
  if (!span || !trace.isSpanContextValid(span.spanContext())) return undefined;
  const carrier: Partial<TraceCarrier> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
  return carrier.traceparent ? (carrier as TraceCarrier) : undefined;
}

function contextOf(carrier: TraceCarrier): Context {
  return propagation.extract(ROOT_CONTEXT, carrier, getter);
}

/** Ends a span with the error status (the message only: stacks and payloads stay out of traces). */
export function endWithError(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.end();
}

/** The trace id of the active span, for log lines (pino mixin); undefined when none is active. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? traceId : undefined;
}

function samplerArg(config: TracingConfig): number {
  return config.OTEL_TRACES_SAMPLER_ARG ?? 1;
}

/**
 * Starts the SDK when an exporter is configured (`OTEL_TRACES_EXPORTER` zipkin, otlp or console
 * and `OTEL_SDK_DISABLED` not true); otherwise returns {@link Tracing.off} without loading it.
 * Spans are exported in batches in the background (BatchSpanProcessor): an unreachable
 * collector costs dropped spans, never a delayed event.
 */
export async function startTracing(service: string, config: TracingConfig): Promise<Tracing> {
  if (config.OTEL_SDK_DISABLED || config.OTEL_TRACES_EXPORTER === 'none') return Tracing.off();
  const sdk = await import('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes, detectResources, envDetector } = await import('@opentelemetry/resources');
  let exporter: SpanExporter;
  switch (config.OTEL_TRACES_EXPORTER) {
    case 'zipkin': {
      const { ZipkinExporter } = await import('@opentelemetry/exporter-zipkin');
      const url = config.OTEL_EXPORTER_ZIPKIN_ENDPOINT;
      exporter = new ZipkinExporter(url ? { url } : {});
      break;
    }
    case 'otlp': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      // The signal-specific endpoint is used as it is; the general one gets the traces path (the spec's rule).
      const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
      const url = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
      exporter = new OTLPTraceExporter(url ? { url } : {});
      break;
    }
    case 'console':
      exporter = new sdk.ConsoleSpanExporter();
      break;
  }
  const ratio = samplerArg(config);
  const sampler = (() => {
    switch (config.OTEL_TRACES_SAMPLER) {
      case 'always_on':
        return new sdk.AlwaysOnSampler();
      case 'always_off':
        return new sdk.AlwaysOffSampler();
      case 'traceidratio':
        return new sdk.TraceIdRatioBasedSampler(ratio);
      case 'parentbased_always_on':
        return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
      case 'parentbased_always_off':
        return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
      case 'parentbased_traceidratio':
        return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) });
    }
  })();
  // OTEL_RESOURCE_ATTRIBUTES is honoured; OTEL_SERVICE_NAME (or hookstream-<app>) names the service.
  const resource = detectResources({ detectors: [envDetector] }).merge(
    resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME ?? `hookstream-${service}` }),
  );
  const provider = new sdk.NodeTracerProvider({ resource, sampler, spanProcessors: [new sdk.BatchSpanProcessor(exporter)] });
  // Registers the AsyncLocalStorage context manager and the W3C Trace Context propagator with the
  // API: the record headers and HTTP headers hookstream reads and writes are W3C, whatever
  // OTEL_PROPAGATORS says.
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  provider.register({ propagator: new W3CTraceContextPropagator() });
  // A collector that is away at shutdown costs the last spans, never a failed shutdown.
  return Tracing.on(provider.getTracer('hookstream'), () => provider.shutdown().catch(() => undefined));
}
