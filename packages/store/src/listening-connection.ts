import pg from 'pg';
import type { Logger } from 'pino';

/** What a feed built on one LISTEN connection says and hears. */
export interface ListenSpec {
  /** How log lines name the feed, e.g. "webhook change feed". */
  name: string;
  /** `application_name` of the connection, so an operator can tell it apart in pg_stat_activity. */
  applicationName: string;
  /** Statements run once per connection before listening. */
  setup?: readonly string[];
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /** After every (re)connection: notifications sent while disconnected are lost, so subscribers reload. */
  onConnected(): void;
  /** The connection went away (or the feed stopped): what was in flight on it will not come back. */
  onLost?(): void;
}

/**
 * A dedicated PostgreSQL connection that LISTENs on some channels and reconnects with back-off
 * (1 s doubling to 10 s) when it is lost: the part every change feed shares.
 */
export class ListeningConnection {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly spec: ListenSpec,
  ) {}

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The live connection, for statements that must travel on it (a feed's own markers). */
  get current(): pg.Client | undefined {
    return this.client;
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: this.spec.applicationName });
    client.on('notification', (msg) => {
      if (msg.payload && this.spec.channels.includes(msg.channel)) this.spec.onNotification(msg.channel, msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    for (const statement of this.spec.setup ?? []) await client.query(statement);
    for (const channel of this.spec.channels) await client.query(`LISTEN ${channel}`);
    this.client = client;
    this.spec.onConnected();
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.spec.onLost?.();
    this.logger.warn({ err: err.message }, `${this.spec.name} lost its connection; reconnecting`);
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(delayMs = 1000): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.connect().catch((e: Error) => {
        this.logger.warn({ err: e.message }, `${this.spec.name} reconnect failed`);
        this.scheduleReconnect(Math.min(delayMs * 2, 10_000));
      });
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    this.spec.onLost?.();
    if (c) await c.end().catch(() => undefined);
  }
}
