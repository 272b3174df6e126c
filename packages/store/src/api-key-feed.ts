import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

export const API_KEY_CHANGES_CHANNEL = 'hookstream_api_key_changes';

/** A key was revoked (`key_id` set) or a whole tenant was disabled (`key_id` absent). */
export interface ApiKeyChange {
  tenant_id: string;
  key_id?: string;
}

/**
 * Listens to the API key channel (migration 0008) on a dedicated connection, so gateways drop a
 * revoked key within milliseconds. `resync` is emitted on every (re)connection: notifications
 * sent while disconnected are lost, so a subscriber forgets what it cached then.
 */
export class ApiKeyChangeFeed extends EventEmitter<{ change: [ApiKeyChange]; resync: []; error: [Error] }> {
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
    const client = new pg.Client({ connectionString: this.url, application_name: 'hookstream-api-key-feed' });
    client.on('notification', (msg) => {
      if (msg.channel !== API_KEY_CHANGES_CHANNEL || !msg.payload) return;
      try {
        this.emit('change', JSON.parse(msg.payload) as ApiKeyChange);
      } catch (e) {
        this.logger.warn({ err: e }, 'unreadable API key change notification');
      }
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${API_KEY_CHANGES_CHANNEL}`);
    this.client = client;
    this.connected = true;
    this.emit('resync');
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.connected = false;
    this.logger.warn({ err: err.message }, 'API key change feed lost its connection; reconnecting');
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(delayMs = 1000): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.connect().catch((e: Error) => {
        this.logger.warn({ err: e.message }, 'API key change feed reconnect failed');
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
