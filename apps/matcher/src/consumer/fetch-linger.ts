/**
 * Holds the next fetch of `events` a little while fetches bring only a few events each, so the
 * following one gathers more of them.
 *
 * Every fetch costs the matcher a fetch, a produce and an event-index statement, and the worker a
 * fetch and an audit statement for the jobs produced, whatever the number of events they carry.
 * At a moderate rate each fetch brought about three events (300 events/s, issue 15), and those fixed
 * costs were most of each app's CPU per event. This is Kafka's own fetch.min.bytes /
 * fetch.max.wait.ms trade, done by the client: the broker's wait cannot be used for it, because
 * kafkajs has one wait for every fetch and an idle matcher must long-poll (issue 15: under 1 % of
 * a core when idle). A fetch with no events never reaches here, and a busy stream (fetches of
 * at least `below` events that no hold gathered, or a small one among them) fetches on at once,
 * so only a quiet rate pays the wait, in latency (see {@link FetchLinger.after}).
 *
 * The wait is what the current rate needs for the next fetch to bring `below` events, and at most
 * `lingerMs` from when this fetch arrived: a fixed wait long enough for 300 events/s (about 25 ms)
 * was also paid in full at 1,500 events/s, where a fetch fills in a few milliseconds. The rate is
 * this fetch's events over the time since the previous fetch arrived (which is when the broker
 * started gathering them).
 *
 * kafkajs hands the batches of one fetch (one per partition) to the partition workers in the same
 * turn of the event loop, so the batches that start in one turn are counted as one fetch, and
 * each of them waits until the same moment.
 */
export class FetchLinger {
  private current: Fetch | undefined;
  private previousSmall = false;
  private previousHeld = false;
  private previousArrival: number | undefined;
  private readonly now: () => number;

  constructor(
    private readonly options: {
      /** The longest wait, counted from when a fetch arrived; 0: never wait. */
      lingerMs: number;
      /** A fetch with fewer events than this is small, and the next one is held until it should bring this many. */
      below: number;
      /** Called once for each fetch that waits. */
      onLinger?: () => void;
      sleep?: (ms: number) => Promise<void>;
      /** Milliseconds, monotonic (performance.now). */
      now?: () => number;
    },
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Counts a partition's batch into its fetch; call when the batch starts. */
  join(events: number): Fetched {
    if (!this.current) {
      const arrivedAt = this.now();
      const fetch: Fetch = { events: 0, arrivedAt, gatheredMs: this.previousArrival === undefined ? undefined : arrivedAt - this.previousArrival };
      this.previousArrival = arrivedAt;
      this.current = fetch;
      setImmediate(() => {
        if (this.current === fetch) this.current = undefined;
      });
    }
    this.current.events += events;
    return this.current;
  }

  /**
   * Waits, before the batch returns (and so before the next fetch), while the stream is quiet:
   * after two small fetches in a row, and then after each fetch that follows a hold and brings
   * fewer than twice the threshold (a hold gathers about the threshold, so twice as many is a
   * rising rate). A lone small fetch among busy ones (part of a burst that the next fetch brings
   * whole) fetches on at once.
   *
   * Without the second rule a steady 300 events/s went hold, fetch at once (the held fetch brought
   * about the threshold, so was not small), a fetch of one or two events, hold: about half the
   * fetches, with their produce and index statement, carried almost nothing.
   */
  async after(fetched: Fetched, stillOwned: () => boolean): Promise<void> {
    const fetch = fetched as Fetch;
    if (fetch.until === undefined) {
      const { below } = this.options;
      const small = fetch.events < below;
      const quiet = (small && this.previousSmall) || (this.previousHeld && fetch.events < 2 * below);
      fetch.until = quiet ? this.holdUntil(fetch) : 0;
      this.previousSmall = small;
      this.previousHeld = fetch.until > 0;
      if (fetch.until > 0) this.options.onLinger?.();
    }
    const waitMs = fetch.until - this.now();
    // Under a millisecond is not worth a timer: the next fetch would bring about as many events.
    if (waitMs < 1 || !stillOwned()) return;
    await (this.options.sleep ?? sleep)(waitMs);
  }

  /** When the next fetch should be sent (0: at once). */
  private holdUntil(fetch: Fetch): number {
    const { lingerMs, below } = this.options;
    if (lingerMs <= 0) return 0;
    const latest = fetch.arrivedAt + lingerMs;
    // No rate known yet (the first fetch), or none measurable: the longest wait.
    if (fetch.gatheredMs === undefined || fetch.gatheredMs <= 0 || fetch.events <= 0) return latest;
    const fill = fetch.arrivedAt + (below * fetch.gatheredMs) / fetch.events;
    const until = Math.min(latest, fill);
    return until - this.now() >= 1 ? until : 0;
  }
}

interface Fetch {
  events: number;
  /** When its first batch started. */
  arrivedAt: number;
  /** Since the previous fetch arrived: the time in which this fetch's events were published. */
  gatheredMs: number | undefined;
  /** When the next fetch should be sent (0: at once); decided when its first batch is done. */
  until?: number;
}

export type Fetched = { readonly events: number };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
