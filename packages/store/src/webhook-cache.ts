import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Knex, Logger } from '@hookstream/service-kit';
import { WebhookChangeFeed, type WebhookRowChange } from './change-feed.js';
import { RoundCoalescer } from './round-coalescer.js';
import { loadAllWebhooks, loadWebhook, type WebhookRecord } from './webhook-records.js';

const MARK_TIMEOUT_MS = 10_000;

/**
 * Every webhook in memory, kept fresh from the table's change feed: a change made
 * through the API is visible here within milliseconds, and no hot path reads the
 * database. After a reconnect the whole table is reloaded (notifications sent while
 * disconnected are lost).
 */
export class WebhookCache extends EventEmitter<{ upsert: [WebhookRecord, WebhookRecord | undefined]; remove: [WebhookRecord]; reset: [] }> {
  private readonly byId = new Map<string, WebhookRecord>();
  private readonly feed: WebhookChangeFeed;
  private loaded = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly marks = new Map<string, { arrived: () => void; failed: (e: Error) => void }>();
  private readonly markPrefix = `${process.pid}-${randomBytes(4).toString('hex')}-`;
  private markSeq = 0;
  private readonly rounds = new RoundCoalescer(() => this.roundTrip());
  /** Every webhook change committed with a counter value <= this is applied here. */
  private appliedSeq = -1;

  constructor(
    private readonly db: Knex,
    databaseUrl: string,
    private readonly logger: Logger,
  ) {
    super();
    this.feed = new WebhookChangeFeed(databaseUrl, logger);
    this.feed.on('change', (c) => {
      if (c.op === 'SEQ') {
        const seq = Number(c.seq);
        // Behind the changes it announces: applied once they are.
        void this.enqueue(async () => {
          if (seq > this.appliedSeq) this.appliedSeq = seq;
        });
      } else void this.enqueue(() => this.apply(c));
    });
    this.feed.on('resync', () => this.enqueue(() => this.reload()));
    this.feed.on('mark', (token) => {
      const waiter = this.marks.get(token);
      // Behind every change that arrived before it: resolved once those are applied.
      if (waiter) void this.enqueue(async () => waiter.arrived());
    });
    this.feed.on('lost', () => {
      for (const w of this.marks.values()) w.failed(new Error('webhook change feed disconnected before catching up'));
    });
  }

  /**
   * Resolves once every webhook change committed before `since` (a `performance.now()` time)
   * is applied here. A caller that read an event accepted before `since` then matches it
   * against every change acknowledged before that event: a webhook created and then
   * published to is never missed. Callers share round trips.
   */
  catchUp(since: number): Promise<void> {
    return this.rounds.after(since);
  }

  /**
   * The change counter (migration 0006) up to which every change is applied here (-1 before the
   * first load). A caller that knows the counter's value when its data was accepted needs no
   * `catchUp` when that value is <= this.
   */
  get seq(): number {
    return this.appliedSeq;
  }

  private roundTrip(): Promise<void> {
    const token = `${this.markPrefix}${++this.markSeq}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`webhook change feed did not catch up within ${MARK_TIMEOUT_MS} ms`)), MARK_TIMEOUT_MS);
      const settle = (err?: Error) => {
        if (!this.marks.delete(token)) return;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      this.marks.set(token, { arrived: () => settle(), failed: settle });
      this.feed.mark(token).catch((e: Error) => settle(e));
    });
  }

  /** Resolves once the first full load is done. */
  async start(): Promise<void> {
    await this.feed.start();
    await this.queue;
  }

  async stop(): Promise<void> {
    await this.feed.stop();
  }

  get ready(): boolean {
    return this.loaded && this.feed.connected;
  }

  get(id: string): WebhookRecord | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<WebhookRecord> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Re-reads one webhook now (for a caller that knows it changed). */
  refresh(id: string): Promise<void> {
    return this.enqueue(() => this.apply({ op: 'UPDATE', id, tenant_id: '', revision: 0 }));
  }

  // Changes apply one at a time, in arrival order, so an older read never overwrites a newer one.
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((e: unknown) => {
      this.logger.error({ err: e }, 'webhook cache update failed; reloading everything');
      this.loaded = false;
      return this.reload().catch(() => undefined);
    });
    return this.queue;
  }

  private async reload(): Promise<void> {
    // Read before the rows: every change counted up to here is in what follows.
    const seq = await readChangeSeq(this.db);
    const rows = await loadAllWebhooks(this.db);
    const seen = new Set<string>();
    for (const r of rows) seen.add(r.id);
    for (const [id, old] of this.byId) {
      if (!seen.has(id)) {
        this.byId.delete(id);
        this.emit('remove', old);
      }
    }
    for (const r of rows) {
      const old = this.byId.get(r.id);
      if (old && old.revision === r.revision && old.updatedAt.getTime() === r.updatedAt.getTime()) continue;
      this.byId.set(r.id, r);
      this.emit('upsert', r, old);
    }
    if (seq > this.appliedSeq) this.appliedSeq = seq;
    this.loaded = true;
    this.emit('reset');
    this.logger.info({ webhooks: this.byId.size }, 'webhook cache loaded');
  }

  private async apply(change: WebhookRowChange): Promise<void> {
    const old = this.byId.get(change.id);
    const fresh = change.op === 'DELETE' ? undefined : await loadWebhook(this.db, change.id);
    if (!fresh) {
      if (old) {
        this.byId.delete(change.id);
        this.emit('remove', old);
      }
      return;
    }
    this.byId.set(fresh.id, fresh);
    this.emit('upsert', fresh, old);
  }
}

async function readChangeSeq(db: Knex): Promise<number> {
  const row = (await db('webhook_change_seq').where({ id: 1 }).first('value')) as { value: string | number } | undefined;
  return row ? Number(row.value) : -1;
}
