/**
 * Offsets of one partition handed out to concurrent work. Work finishes in any order, but the
 * committable offset only moves past a message once it and every earlier one are finished, so
 * a crash never skips unfinished work (it is redelivered).
 */
export class PartitionTracker {
  private readonly order: string[] = [];
  private head = 0;
  private readonly finished = new Set<string>();
  private committable: string | undefined;
  private lastCommitted: string | undefined;

  /** Messages handed out and not yet behind the commit point. */
  get pending(): number {
    return this.order.length - this.head;
  }

  /** Registers a message; offsets must be handed out in increasing order. */
  start(offset: string): void {
    this.order.push(offset);
  }

  finish(offset: string): void {
    this.finished.add(offset);
    while (this.head < this.order.length && this.finished.has(this.order[this.head]!)) {
      const done = this.order[this.head]!;
      this.finished.delete(done);
      this.head++;
      this.committable = (BigInt(done) + 1n).toString();
    }
    // Compact now and then rather than shifting the array on every finish.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The offset to commit (next to read) if it moved since the last `markCommitted`. */
  toCommit(): string | undefined {
    return this.committable !== undefined && this.committable !== this.lastCommitted ? this.committable : undefined;
  }

  markCommitted(offset: string): void {
    this.lastCommitted = offset;
  }
}
