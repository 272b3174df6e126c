import client from 'prom-client';

export { client as prom };
export type { Registry } from 'prom-client';

/**
 * Sampling period of the event-loop lag histogram. prom-client's default, 10 ms, is a timer
 * waking the process 100 times a second, idle or not. At 100 ms a block of the loop that
 * overlaps a tick still shows up in full (the tick comes that much late); blocks shorter than
 * the period may fall between ticks and go unseen.
 */
export const EVENT_LOOP_LAG_RESOLUTION_MS = 100;

/** One registry per process, with Node's default metrics and the service as a label. */
export function createMetricsRegistry(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_LAG_RESOLUTION_MS });
  return registry;
}
