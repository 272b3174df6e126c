import client from 'prom-client';

export { client as prom };
export type { Registry } from 'prom-client';

/** One registry per process, with Node's default metrics and the service as a label. */
export function createMetricsRegistry(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  return registry;
}
