import { prom, type Registry } from '@hookstream/service-kit';

export interface MatcherMetrics {
  consumed: prom.Counter;
  matched: prom.Counter;
  jobs: prom.Counter;
  skipped: prom.Counter;
  filtered: prom.Counter;
  invalid: prom.Counter<'reason'>;
  fanout: prom.Histogram;
  sliceDuration: prom.Histogram;
  stepDuration: prom.Histogram<'step'>;
  fetchAge: prom.Histogram;
  stepRetries: prom.Counter<'step'>;
  subscriptionChecks: prom.Counter<'path'>;
  fetchLingers: prom.Counter;
  subscriptions: prom.Gauge;
}

export function createMatcherMetrics(registry: Registry, indexedWebhooks: () => number): MatcherMetrics {
  const registers = [registry];
  return {
    consumed: new prom.Counter({ name: 'hookstream_matcher_events_consumed_total', help: 'Messages read from the events topic', registers }),
    matched: new prom.Counter({ name: 'hookstream_matcher_events_matched_total', help: 'Valid events that matched at least one webhook', registers }),
    jobs: new prom.Counter({ name: 'hookstream_matcher_jobs_produced_total', help: 'Delivery jobs acknowledged by the broker', registers }),
    skipped: new prom.Counter({
      name: 'hookstream_matcher_deliveries_skipped_total',
      help: 'Matches of buggy webhooks recorded as skipped deliveries instead of jobs',
      registers,
    }),
    // No webhook label: 100k webhooks would be 100k series. Which webhooks filtered an event out is
    // in the events index (GET /v1/events/{id}, `filtered_webhooks`), per webhook and per event.
    filtered: new prom.Counter({
      name: 'hookstream_matcher_deliveries_filtered_total',
      help: "Matches a webhook's payload filter rejected: no delivery was created for them (issue 19.1)",
      registers,
    }),
    invalid: new prom.Counter({
      name: 'hookstream_matcher_events_invalid_total',
      help: 'Messages dead-lettered to events.invalid, by reason',
      labelNames: ['reason'],
      registers,
    }),
    fanout: new prom.Histogram({
      name: 'hookstream_matcher_fanout',
      help: 'Delivery jobs per valid event',
      buckets: [0, 1, 2, 5, 10, 25, 50, 100, 250, 1000],
      registers,
    }),
    sliceDuration: new prom.Histogram({
      name: 'hookstream_matcher_slice_duration_seconds',
      help: 'Time to match, index and produce one slice of events (its commit follows without holding the partition)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    stepDuration: new prom.Histogram({
      name: 'hookstream_matcher_step_duration_seconds',
      help: 'Time of each step of a slice (subscriptions_catch_up, plan, event_index, produce) and of each offset commit request, retries of a slice step included',
      labelNames: ['step'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    fetchAge: new prom.Histogram({
      name: 'hookstream_matcher_fetch_age_seconds',
      help: 'Age of the oldest event of a slice (from its record timestamp) when the matcher starts on it: broker append, fetch wait and the wait for earlier slices',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    subscriptionChecks: new prom.Counter({
      name: 'hookstream_matcher_subscription_checks_total',
      help: "How a slice was found recent enough for its events' webhook changes: by the change counter the gateway stamped on them (free), or by a round trip through the change feed (records without the stamp, or a change not applied yet)",
      labelNames: ['path'],
      registers,
    }),
    fetchLingers: new prom.Counter({
      name: 'hookstream_matcher_fetch_lingers_total',
      help: 'Fetches of events after which the next fetch waited (until it should bring MATCHER_FETCH_LINGER_BELOW events, at most MATCHER_FETCH_LINGER_MS): a small fetch after a small one, or a fetch a wait gathered that brought fewer than twice that many',
      registers,
    }),
    stepRetries: new prom.Counter({
      name: 'hookstream_matcher_step_retries_total',
      help: 'Retries of a slice step (subscriptions catch-up, event index write, produce, commit) after a failure',
      labelNames: ['step'],
      registers,
    }),
    subscriptions: new prom.Gauge({
      name: 'hookstream_matcher_indexed_webhooks',
      help: 'Enabled webhooks in the subscription index',
      registers,
      collect() {
        this.set(indexedWebhooks());
      },
    }),
  };
}
