import type { ServiceContext } from '@hookstream/service-kit';
import { CallSlots } from '../dispatch/call-slots.js';
import { ConcurrencyGovernor } from '../dispatch/concurrency-governor.js';
import type { WorkerMetrics } from '../metrics.js';
import type { WorkerConfig } from '../worker.js';

/** The worker-wide bound on calls in flight, adapted to CPU saturation by the governor. */
export function startCallSlots({ config, onShutdown }: ServiceContext<WorkerConfig>, metrics: WorkerMetrics): CallSlots {
  const bounds = { min: Math.min(config.DELIVERY_MIN_CONCURRENCY, config.DELIVERY_MAX_CONCURRENCY), max: config.DELIVERY_MAX_CONCURRENCY };
  // Starts low: a cold process is about to be busiest (a backlog waiting), and room makes it grow within seconds.
  const slots = new CallSlots(bounds.min);
  const governor = new ConcurrencyGovernor(slots, bounds, (limit) => metrics.callLimit.set(limit));
  metrics.callLimit.set(bounds.min);
  governor.start();
  onShutdown('concurrency-governor', () => governor.stop());
  return slots;
}
