import { EventEmitter } from 'node:events';
import type { Knex, Logger } from '@hookstream/service-kit';
import { WebhookChangeFeed, type WebhookChange } from './change-feed.js';
import { loadAllWebhooks, loadWebhook, type WebhookRecord } from './webhook-records.js';

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

  constructor(
    private readonly db: Knex,
    databaseUrl: string,
    private readonly logger: Logger,
  ) {
    super();
    this.feed = new WebhookChangeFeed(databaseUrl, logger);
    this.feed.on('change', (c) => this.enqueue(() => this.apply(c)));
    this.feed.on('resync', () => this.enqueue(() => this.reload()));
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
    this.loaded = true;
    this.emit('reset');
    this.logger.info({ webhooks: this.byId.size }, 'webhook cache loaded');
  }

  private async apply(change: WebhookChange): Promise<void> {
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
