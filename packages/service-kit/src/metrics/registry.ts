import client from 'prom-client';
import { EventLoopLagSampler } from './event-loop-lag.js';

export { client as prom };
export type { Registry } from 'prom-client';

/**
 * prom-client's event-loop lag summary gauges, which its default metrics fill from a
 * `monitorEventLoopDelay` histogram sampling at a fixed period: 10 ms by default, 100 ms here
 * before, ten wake-ups a second in every idle app. They are filled from an
 * {@link EventLoopLagSampler} instead, whose period grows to 1 s while the loop is idle; names,
 * help and meaning (seconds; min, max... since the previous scrape) stay the same.
 */
const LAG_GAUGES = {
  nodejs_eventloop_lag_min_seconds: ['The minimum recorded event loop delay.', (h) => h.min],
  nodejs_eventloop_lag_max_seconds: ['The maximum recorded event loop delay.', (h) => h.max],
  nodejs_eventloop_lag_mean_seconds: ['The mean of the recorded event loop delays.', (h) => h.mean],
  nodejs_eventloop_lag_stddev_seconds: ['The standard deviation of the recorded event loop delays.', (h) => h.stddev],
  nodejs_eventloop_lag_p50_seconds: ['The 50th percentile of the recorded event loop delays.', (h) => h.percentile(50)],
  nodejs_eventloop_lag_p90_seconds: ['The 90th percentile of the recorded event loop delays.', (h) => h.percentile(90)],
  nodejs_eventloop_lag_p99_seconds: ['The 99th percentile of the recorded event loop delays.', (h) => h.percentile(99)],
} satisfies Record<string, [string, (h: EventLoopLagSampler['histogram']) => number]>;

/**
 * The period prom-client's own lag histogram is given, so that its timer never fires: the
 * longest a Node timer accepts (about 24.8 days). Its gauges are replaced (see LAG_GAUGES).
 */
const NEVER_MS = 2 ** 31 - 1;

/** One registry per process, with Node's default metrics and the service as a label. */
export function createMetricsRegistry(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: NEVER_MS });
  const lag = new EventLoopLagSampler().start();
  const names = Object.keys(LAG_GAUGES) as (keyof typeof LAG_GAUGES)[];
  for (const name of names) registry.removeSingleMetric(name);
  // As prom-client does: the first gauge's collect sets them all and starts the next period afresh.
  const collect = () => {
    names.forEach((name, i) => gauges[i]!.set(LAG_GAUGES[name][1](lag.histogram) / 1e9));
    lag.histogram.reset();
  };
  const gauges = names.map(
    (name, i) =>
      new client.Gauge({
        name,
        help: LAG_GAUGES[name][0],
        registers: [registry],
        aggregator: name === 'nodejs_eventloop_lag_min_seconds' ? 'min' : name === 'nodejs_eventloop_lag_max_seconds' ? 'max' : 'average',
        ...(i === 0 ? { collect } : {}),
      }),
  );
  return registry;
}
