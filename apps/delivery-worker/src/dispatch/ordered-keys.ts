/**
 * The per-key in-order lane of FIFO webhooks: the tasks of one key run one at a time, in the
 * order they were submitted, while other keys run freely. A task that is still going (a
 * delivery retried in place, waiting its back-off) holds only its key.
 *
 * A task that fails (its partition went to another worker) fails the tasks queued behind it
 * without running them: they are redelivered with it from the uncommitted offset, and running
 * them here would let a later event overtake an earlier one. A failed call or dead letter is not a
 * failure here: the task ends normally and the key moves on.
 */
export class OrderedKeys {
  private readonly keys = new Map<string, { tail: Promise<void>; queued: number; failed?: unknown }>();

  /** Keys with work queued or running. */
  get size(): number {
    return this.keys.size;
  }

  /** Tasks waiting for their turn behind a running one (never started: at shutdown, left to redelivery). */
  get waiting(): number {
    let n = 0;
    for (const l of this.keys.values()) n += Math.max(0, l.queued - 1);
    return n;
  }

  run(key: string, task: () => Promise<void>): Promise<void> {
    let lane = this.keys.get(key);
    if (!lane) this.keys.set(key, (lane = { tail: Promise.resolve(), queued: 0 }));
    const l = lane;
    l.queued++;
    const result = l.tail.then(async () => {
      if (l.failed !== undefined) throw l.failed;
      try {
        await task();
      } catch (e) {
        l.failed = e;
        throw e;
      }
    });
    const settle = () => {
      if (--l.queued === 0 && this.keys.get(key) === l) this.keys.delete(key);
    };
    l.tail = result.then(settle, settle);
    return result;
  }
}
