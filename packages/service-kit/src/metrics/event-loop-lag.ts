import { createHistogram, performance, type EventLoopUtilization, type RecordableHistogram } from 'node:perf_hooks';

/** Sampling period while the event loop works: a block longer than this always delays a sample. */
export const LAG_SAMPLE_BUSY_MS = 100;
/** Sampling period once the loop has been idle for a whole window. */
export const LAG_SAMPLE_IDLE_MS = 1000;
/** How often the sampler decides between the two periods, from the loop's utilisation since. */
export const LAG_WINDOW_MS = 1000;
/**
 * Busy share of the loop over a window below which it counts as idle: under 100 ms of work in a
 * second, so no block of that window was as long as the busy period, the shortest block the
 * busy sampling is sure to see. (An idle worker's loop is busy 1 % of a second at the median and
 * up to 13 % in its busiest seconds, a fetch and the lag watch's offsets; 2 % kept it sampling
 * every 100 ms a good part of the time.)
 */
export const IDLE_LOOP_UTILIZATION = LAG_SAMPLE_BUSY_MS / LAG_WINDOW_MS;

/**
 * Event-loop lag sampler: a timer that records how late it fires, like Node's
 * `monitorEventLoopDelay` (which prom-client's default metrics use), but whose period adapts.
 * A timer sampling every 100 ms wakes an idle process ten times a second to learn that nothing
 * is blocking it; an idle loop has no lag to measure. So after a window in which the loop was
 * busy less than {@link IDLE_LOOP_UTILIZATION} (the busy period's share of a window), samples come once a second, and after the first
 * window with more work again every 100 ms. The price: the first block after an idle stretch is
 * seen at the coarse period (a block delays a 1 s sample only if it overlaps it, and then by the
 * part after the sample was due) and switches the sampling back to fine at the end of its window;
 * blocks under load, the ones the lag metrics are for, are sampled as before.
 */
export class EventLoopLagSampler {
  /** Lateness of each sample in ns (at least 1, as `monitorEventLoopDelay` records). */
  readonly histogram: RecordableHistogram = createHistogram();
  private timer: NodeJS.Timeout | undefined;
  private periodMs = LAG_SAMPLE_BUSY_MS;
  private dueAt = 0;
  private windowStart: EventLoopUtilization = performance.eventLoopUtilization();
  private windowStartedAt = performance.now();

  constructor(
    private readonly busyMs = LAG_SAMPLE_BUSY_MS,
    private readonly idleMs = LAG_SAMPLE_IDLE_MS,
    private readonly windowMs = LAG_WINDOW_MS,
  ) {
    this.periodMs = busyMs;
  }

  /** The current sampling period (ms). */
  get period(): number {
    return this.periodMs;
  }

  start(): this {
    if (this.timer) return this;
    this.windowStart = performance.eventLoopUtilization();
    this.windowStartedAt = performance.now();
    this.arm(this.busyMs);
    return this;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(periodMs: number): void {
    this.dueAt = performance.now() + periodMs;
    if (this.timer && periodMs === this.periodMs) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.periodMs = periodMs;
    // A metric must not keep the process alive.
    this.timer = setTimeout(() => this.sample(), periodMs).unref();
  }

  private sample(): void {
    const now = performance.now();
    this.histogram.record(Math.max(1, Math.round((now - this.dueAt) * 1e6)));
    let next = this.periodMs;
    if (now - this.windowStartedAt >= this.windowMs) {
      const utilization = performance.eventLoopUtilization(this.windowStart).utilization;
      next = utilization < this.busyMs / this.windowMs ? this.idleMs : this.busyMs;
      this.windowStart = performance.eventLoopUtilization();
      this.windowStartedAt = now;
    }
    this.arm(next);
  }
}
