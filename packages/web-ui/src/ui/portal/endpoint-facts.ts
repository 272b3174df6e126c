import { CHANNELS, type Webhook } from '../lib/types.js';

export const endpointUrl = (w: Webhook): string => w.endpoint ?? w.callback ?? '';

/** One word for an endpoint's state: what hookstream does with its deliveries now. */
export function endpointState(w: Webhook): 'enabled' | 'disabled' | 'buggy' {
  if (w.buggy) return 'buggy';
  return w.enabled ? 'enabled' : 'disabled';
}

/** Every type the endpoint subscribes to, on any channel (or its content/system event list). */
export function subscribedTypes(w: Webhook): string[] {
  if (w.registered_events) return [...new Set(CHANNELS.flatMap((c) => w.registered_events?.[c] ?? []))];
  return w.events ? w.events.split(',') : [];
}
