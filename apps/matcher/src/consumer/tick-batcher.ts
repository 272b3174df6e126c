/**
 * Merges the calls made during one turn of the event loop into one call of `flush`. kafkajs
 * hands the batches of one fetch (one per partition) to the partition workers together, and
 * each plans its slice synchronously before its first wait: batched this way, the slices of
 * one fetch share one produce request and one event-index statement, instead of the first
 * partition's produce going out alone and the others queueing behind it for a round trip.
 *
 * With `oneInFlight`, a flush waits for the one running, and then carries every call made
 * meanwhile (group commit): the event index, whose statements no longer hold the next fetch,
 * so a slow database would otherwise get one more concurrent statement per fetch.
 *
 * Every caller gets the merged call's outcome; a caller that retries after a failure is merged
 * into whatever the retry's turn carries.
 */
export class TickBatcher<T> {
  private items: T[] = [];
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<unknown>,
    private readonly options: { oneInFlight?: boolean } = {},
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.items.push(item);
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    // The running flush schedules the next one when it ends.
    if (this.options.oneInFlight && this.flushing) return;
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    this.flushing = true;
    try {
      await this.flush(items);
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e);
    } finally {
      this.flushing = false;
      if (this.options.oneInFlight && this.items.length > 0) this.schedule();
    }
  }
}
