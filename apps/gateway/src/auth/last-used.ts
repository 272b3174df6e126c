/**
 * Remembers when keys were used and writes it in batches: a key's use is noted at most once per
 * `everyMs`, and `flush` writes every noted use in one statement. So `last_used_at` costs no
 * database write per request, and is at most `everyMs` plus one flush interval behind.
 */
export class LastUsedRecorder {
  private readonly pending = new Map<string, Date>();
  private readonly noted = new Map<string, number>();

  constructor(
    private readonly write: (uses: ReadonlyMap<string, Date>) => Promise<void>,
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  use(keyId: string): void {
    const t = this.now();
    const last = this.noted.get(keyId);
    if (last !== undefined && t - last < this.everyMs) return;
    this.noted.set(keyId, t);
    this.pending.set(keyId, new Date(t));
  }

  /** Writes what was noted since the last flush; on failure the uses are noted again next time. */
  async flush(): Promise<void> {
    const t = this.now();
    // Keys not used for a throttle period are forgotten, so the map stays as small as the set of keys in use.
    for (const [id, at] of this.noted) if (t - at >= this.everyMs) this.noted.delete(id);
    if (this.pending.size === 0) return;
    const batch = new Map(this.pending);
    this.pending.clear();
    try {
      await this.write(batch);
    } catch (e) {
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      throw e;
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
