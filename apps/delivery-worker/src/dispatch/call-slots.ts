/**
 * The worker-wide bound on calls in flight. Each webhook's lane has its own `max_in_flight`,
 * but hundreds of lanes together could start thousands of calls, and on a busy process every
 * call then takes as long as the whole backlog needs a core (Little's law): a retry that is
 * due would wait seconds behind first attempts already started. With a bound, calls beyond
 * it wait in their lanes, and a freed slot goes to a lane with a retry waiting before any
 * other (then in arrival order, so lanes take turns).
 */
export class CallSlots {
  private used = 0;
  // Sets keep insertion order: the lane that waited longest is woken first.
  private readonly urgent = new Set<() => void>();
  private readonly normal = new Set<() => void>();

  private onBusy: (() => void) | undefined;

  constructor(private max: number) {}

  /** Calls `listener` once, when a call next takes a slot or waits for one; replaces an earlier listener. */
  whenBusy(listener: (() => void) | undefined): void {
    this.onBusy = listener;
  }

  private busy(): void {
    const listener = this.onBusy;
    if (listener === undefined) return;
    this.onBusy = undefined;
    listener();
  }

  get inUse(): number {
    return this.used;
  }

  get limit(): number {
    return this.max;
  }

  /** Lanes waiting for a slot: demand beyond the limit. */
  get waiting(): number {
    return this.urgent.size + this.normal.size;
  }

  /** A lower limit takes effect as calls finish; a higher one wakes waiting lanes at once. */
  setLimit(limit: number): void {
    this.max = limit;
    this.wakeWhileFree();
  }

  tryTake(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    this.busy();
    return true;
  }

  /** `wake` is called (once) when a slot may be free; it should try again. */
  wait(wake: () => void, urgent: boolean): void {
    this.busy();
    if (urgent) {
      this.normal.delete(wake);
      this.urgent.add(wake);
    } else if (!this.urgent.has(wake)) {
      this.normal.add(wake);
    }
  }

  release(): void {
    this.used--;
    this.wakeWhileFree();
  }

  private wakeWhileFree(): void {
    // A woken lane may not take the slot (it was emptied meanwhile): keep waking until one does.
    while (this.used < this.max) {
      const next = first(this.urgent) ?? first(this.normal);
      if (!next) return;
      this.urgent.delete(next);
      this.normal.delete(next);
      next();
    }
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}
