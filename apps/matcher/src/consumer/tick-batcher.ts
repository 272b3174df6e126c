/**
 * Merges the calls made during one turn of the event loop into one call of `flush`. kafkajs
 * hands the batches of one fetch (one per partition) to the partition workers together, and
 * each plans its slice synchronously before its first wait: batched this way, the slices of
 * one fetch share one produce request and one event-index statement, instead of the first
 * partition's produce going out alone and the others queueing behind it for a round trip.
 *
 * Every caller gets the merged call's outcome; a caller that retries after a failure is merged
 * into whatever the retry's turn carries.
 */
export class TickBatcher<T> {
  private items: T[] = [];
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => Promise<unknown>) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.items.push(item);
      this.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    this.scheduled = false;
    try {
      await this.flush(items);
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e);
    }
  }
}
