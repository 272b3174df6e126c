import { prom, type Registry } from '@hookstream/service-kit';
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

export interface GatewayMetrics {
  requests: prom.Counter<'route' | 'method' | 'status'>;
  duration: prom.Histogram<'route' | 'method'>;
  accepted: prom.Counter<'type'>;
  rejected: prom.Counter<'reason'>;
  duplicates: prom.Counter<string>;
  lifecycleEvents: prom.Counter<'verb'>;
  ingestStep: prom.Histogram<'step'>;
  connectionsDropped: prom.Counter<string>;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    requests: new prom.Counter({
      name: 'hookstream_gateway_http_requests_total',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    duration: new prom.Histogram({
      name: 'hookstream_gateway_http_request_duration_seconds',
      help: 'HTTP request latency by route template and method',
      labelNames: ['route', 'method'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    accepted: new prom.Counter({
      name: 'hookstream_gateway_events_accepted_total',
      help: 'Events acknowledged by the broker, by canonical type (duplicates not counted)',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    rejected: new prom.Counter({
      name: 'hookstream_gateway_events_rejected_total',
      help: 'Events refused, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    duplicates: new prom.Counter({
      name: 'hookstream_gateway_events_duplicate_total',
      help: 'Events answered 202 without publishing because their id was seen within the dedup window',
      registers: [registry],
    }),
    lifecycleEvents: new prom.Counter({
      name: 'hookstream_gateway_webhook_lifecycle_events_total',
      help: 'Webhook system events published, by verb',
      labelNames: ['verb'] as const,
      registers: [registry],
    }),
    ingestStep: new prom.Histogram({
      name: 'hookstream_gateway_ingest_step_seconds',
      help: 'Time a publish request spends in each ingest step (dedup claim, broker acknowledgement, dedup confirmation), queueing included',
      labelNames: ['step'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    connectionsDropped: new prom.Counter({
      name: 'hookstream_gateway_connections_dropped_total',
      help: 'Connections closed on arrival because the gateway already held HTTP_MAX_CONNECTIONS',
      registers: [registry],
    }),
  };
}

/** Records every request under its route template (never the raw path: ids would explode the label set). */
export function requestMetrics(metrics: GatewayMetrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    observeRequest(metrics, req.method, res, () => routeLabel(req));
    next();
  };
}

/** Times one request from now until its response is finished, and counts it by route, method and status. */
export function observeRequest(metrics: GatewayMetrics, method: string, res: ServerResponse, routeOf: () => string): void {
  const end = metrics.duration.startTimer();
  res.once('finish', () => {
    const route = routeOf();
    end({ route, method });
    metrics.requests.inc({ route, method, status: String(res.statusCode) });
  });
}

function routeLabel(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}`.replace(/[:*]([A-Za-z]+)/g, '{$1}');
  const p = req.path;
  if (p === '/healthz' || p === '/openapi.json') return p;
  if (p.startsWith('/docs')) return '/docs';
  return 'unmatched';
}
