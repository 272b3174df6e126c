import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { CallSlots } from './call-slots.js';

export interface GovernorBounds {
  min: number;
  max: number;
}

/** Busy share of the event loop at or above which the process counts as saturated. */
export const SATURATED_ELU = 0.95;
/** Below this, and with calls waiting for a slot, there is room for more at once. */
const ROOM_ELU = 0.8;

/**
 * The next worker-wide call limit. Calls to fast endpoints cost CPU, calls to slow ones cost
 * only waiting: so when this process is saturated, fewer calls at once lose no throughput
 * and keep each call short (a due retry then waits in its lane, first in line, instead of
 * inside a crowd of calls sharing the core); when it has room and calls are waiting (slow
 * endpoints), more at once raise throughput. Multiplicative both ways, so it settles in a
 * few seconds after a change of load.
 */
export function nextLimit(limit: number, elu: number, waiting: number, bounds: GovernorBounds): number {
  if (elu >= SATURATED_ELU) return Math.max(bounds.min, Math.floor(limit * 0.8));
  if (elu < ROOM_ELU && waiting > 0) return Math.min(bounds.max, Math.ceil(limit * 1.25));
  return limit;
}

/**
 * Samples the event loop's utilisation and resets the slots' limit at a fixed interval, while
 * calls are in flight or waiting. With none there is nothing to govern: the sampling sleeps until
 * the next call (five wake-ups a second were a good part of an idle worker's CPU).
 */
export class ConcurrencyGovernor {
  private timer: NodeJS.Timeout | undefined;
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private stopped = false;

  constructor(
    private readonly slots: CallSlots,
    private readonly bounds: GovernorBounds,
    private readonly onChange: (limit: number) => void = () => undefined,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.stopped = false;
    this.arm();
  }

  /** Whether the sampling runs (it sleeps while no call is in flight or waiting). */
  get sampling(): boolean {
    return this.timer !== undefined;
  }

  stop(): void {
    this.stopped = true;
    this.slots.whenBusy(undefined);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.stopped || this.timer) return;
    // The first interval measures from now: the idle time before it says nothing about the load.
    this.last = performance.eventLoopUtilization();
    this.timer = setInterval(() => this.adjust(), this.intervalMs);
    this.timer.unref();
  }

  private adjust(): void {
    const now = performance.eventLoopUtilization();
    const elu = performance.eventLoopUtilization(now, this.last).utilization;
    this.last = now;
    const limit = nextLimit(this.slots.limit, elu, this.slots.waiting, this.bounds);
    if (limit !== this.slots.limit) {
      this.slots.setLimit(limit);
      this.onChange(limit);
    }
    if (this.slots.inUse === 0 && this.slots.waiting === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.slots.whenBusy(() => this.arm());
    }
  }
}
