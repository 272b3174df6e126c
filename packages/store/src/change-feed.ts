import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

export const WEBHOOK_CHANGES_CHANNEL = 'hookstream_webhook_changes';
/**
 * A listener's own markers. PostgreSQL delivers notifications in commit order across
 * channels, so a marker sent after a change committed arrives after that change; on a
 * channel of its own, the other listeners never see it.
 */
export const FEED_MARKS_CHANNEL = 'hookstream_webhook_feed_marks';

/** One row changed. */
export interface WebhookRowChange {
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  id: string;
  tenant_id: string;
  revision: number;
}

/**
 * A transaction that changed webhooks committed, as number `seq` of the change counter
 * (migration 0006); sent after its row changes, and in counter order.
 */
export interface WebhookSeqAnnouncement {
  op: 'SEQ';
  seq: number;
}

export type WebhookChange = WebhookRowChange | WebhookSeqAnnouncement;

/**
 * Listens to the webhooks table's NOTIFY channel on a dedicated connection.
 * Emits `change` per row and `resync` whenever the connection was (re)established,
 * because notifications sent while disconnected are lost: subscribers reload then.
 * `mark()` sends a marker that comes back as `mark` once every change committed before it
 * has been emitted; `lost` says markers in flight will not come back.
 */
export class WebhookChangeFeed extends EventEmitter<{ change: [WebhookChange]; resync: []; mark: [string]; lost: []; error: [Error] }> {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  connected = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'hookstream-change-feed' });
    client.on('notification', (msg) => {
      if (msg.channel === FEED_MARKS_CHANNEL && msg.payload) {
        this.emit('mark', msg.payload);
        return;
      }
      if (msg.channel !== WEBHOOK_CHANGES_CHANNEL || !msg.payload) return;
      try {
        this.emit('change', JSON.parse(msg.payload) as WebhookChange);
      } catch (e) {
        this.logger.warn({ err: e }, 'unreadable webhook change notification');
      }
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    // A marker is a NOTIFY, so a transaction: nothing here needs its commit flushed to disk.
    await client.query('SET synchronous_commit TO off');
    await client.query(`LISTEN ${WEBHOOK_CHANGES_CHANNEL}`);
    await client.query(`LISTEN ${FEED_MARKS_CHANNEL}`);
    this.client = client;
    this.connected = true;
    this.emit('resync');
  }

  /** Sends a marker on the listening connection itself (no pool to queue behind). */
  async mark(token: string): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('webhook change feed is not connected');
    await client.query('SELECT pg_notify($1, $2)', [FEED_MARKS_CHANNEL, token]);
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.connected = false;
    this.emit('lost');
    this.logger.warn({ err: err.message }, 'webhook change feed lost its connection; reconnecting');
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(delayMs = 1000): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.connect().catch((e: Error) => {
        this.logger.warn({ err: e.message }, 'webhook change feed reconnect failed');
        this.scheduleReconnect(Math.min(delayMs * 2, 10_000));
      });
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    this.connected = false;
    this.emit('lost');
    if (c) await c.end().catch(() => undefined);
  }
}
