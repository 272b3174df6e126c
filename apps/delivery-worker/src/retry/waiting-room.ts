/**
 * Retry jobs read from a tier topic shortly before they are due wait here, in memory, instead
 * of pausing the partition and reading it again at the due time: one pause and refetch per
 * job costs a broker round trip each, and with thousands of retries due a few milliseconds
 * apart those round trips add up to seconds of lateness. A waiting job keeps its offset
 * uncommitted (the consumer counts it as unfinished), so a crash loses nothing: Kafka hands
 * it out again.
 */
export class WaitingRoom {
  private readonly timers = new Set<NodeJS.Timeout>();
  private abandonedJobs = 0;
  private closed = false;

  /** Jobs waiting for their time. */
  get waiting(): number {
    return this.timers.size;
  }

  /** Jobs whose wait was cut short by `close`: never started, left to Kafka's redelivery. */
  get abandoned(): number {
    return this.abandonedJobs;
  }

  /** Resolves at `at`; never resolves once the room is closed (the job stays unfinished). */
  until(at: number): Promise<void> {
    if (this.closed) {
      this.abandonedJobs++;
      return new Promise(() => undefined);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, Math.max(0, at - Date.now()));
      this.timers.add(timer);
    });
  }

  /** Shutdown: no waiting job starts any more. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.abandonedJobs += this.timers.size;
    this.timers.clear();
  }
}
