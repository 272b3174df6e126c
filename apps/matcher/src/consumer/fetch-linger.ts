/**
 * Holds the next fetch of `events` a little while fetches bring only a few events each, so the
 * following one gathers more of them.
 *
 * Every fetch costs the matcher a fetch, a produce and an event-index statement, and the worker a
 * fetch and an audit transaction for the jobs produced, whatever the number of events they carry.
 * At a moderate rate each fetch brought about three events (300 events/s, issue 15), and those fixed
 * costs were most of each app's CPU per event. This is Kafka's own fetch.min.bytes /
 * fetch.max.wait.ms trade, done by the client: the broker's wait cannot be used for it, because
 * kafkajs has one wait for every fetch and an idle matcher must long-poll (issue 15: under 1 % of
 * a core when idle). A fetch with no events never reaches here, and a busy one (at least
 * `below` events), or a small one after a busy one, fetches on at once, so only the small
 * fetches of a quiet rate pay the wait, in latency.
 *
 * kafkajs hands the batches of one fetch (one per partition) to the partition workers in the same
 * turn of the event loop, so the batches that start in one turn are counted as one fetch.
 */
export class FetchLinger {
  private current: Fetch | undefined;
  private previousSmall = false;

  constructor(
    private readonly options: {
      /** How long the next fetch waits after a small one; 0: never. */
      lingerMs: number;
      /** A fetch with fewer events than this is small. */
      below: number;
      /** Called once for each fetch that waits. */
      onLinger?: () => void;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  /** Counts a partition's batch into its fetch; call when the batch starts. */
  join(events: number): Fetched {
    if (!this.current) {
      const fetch: Fetch = { events: 0 };
      this.current = fetch;
      setImmediate(() => {
        if (this.current === fetch) this.current = undefined;
      });
    }
    this.current.events += events;
    return this.current;
  }

  /**
   * Waits, before the batch returns (and so before the next fetch), when its fetch and the one
   * before it were small: a quiet stream. A lone small fetch among busy ones (part of a burst
   * that the next fetch brings whole) fetches on at once.
   */
  async after(fetched: Fetched, stillOwned: () => boolean): Promise<void> {
    const fetch = fetched as Fetch;
    if (fetch.hold === undefined) {
      const small = fetch.events < this.options.below;
      fetch.hold = this.options.lingerMs > 0 && small && this.previousSmall;
      this.previousSmall = small;
      if (fetch.hold) this.options.onLinger?.();
    }
    if (!fetch.hold || !stillOwned()) return;
    await (this.options.sleep ?? sleep)(this.options.lingerMs);
  }
}

interface Fetch {
  events: number;
  /** Decided when its first batch is done. */
  hold?: boolean;
}

export type Fetched = { readonly events: number };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
