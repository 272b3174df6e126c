import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

export const WEBHOOK_CHANGES_CHANNEL = 'hookstream_webhook_changes';

export interface WebhookChange {
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  id: string;
  tenant_id: string;
  revision: number;
}

/**
 * Listens to the webhooks table's NOTIFY channel on a dedicated connection.
 * Emits `change` per row and `resync` whenever the connection was (re)established,
 * because notifications sent while disconnected are lost: subscribers reload then.
 */
export class WebhookChangeFeed extends EventEmitter<{ change: [WebhookChange]; resync: []; error: [Error] }> {
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
    await client.query(`LISTEN ${WEBHOOK_CHANGES_CHANNEL}`);
    this.client = client;
    this.connected = true;
    this.emit('resync');
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.connected = false;
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
    if (c) await c.end().catch(() => undefined);
  }
}
