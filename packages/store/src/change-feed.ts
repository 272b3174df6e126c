import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { ListeningConnection } from './listening-connection.js';

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
  private readonly connection: ListeningConnection;

  constructor(url: string, logger: Logger) {
    super();
    this.connection = new ListeningConnection(url, logger, {
      name: 'webhook change feed',
      applicationName: 'hookstream-change-feed',
      // A marker is a NOTIFY, so a transaction: nothing here needs its commit flushed to disk.
      setup: ['SET synchronous_commit TO off'],
      channels: [WEBHOOK_CHANGES_CHANNEL, FEED_MARKS_CHANNEL],
      onNotification: (channel, payload) => {
        if (channel === FEED_MARKS_CHANNEL) {
          this.emit('mark', payload);
          return;
        }
        try {
          this.emit('change', JSON.parse(payload) as WebhookChange);
        } catch (e) {
          logger.warn({ err: e }, 'unreadable webhook change notification');
        }
      },
      onConnected: () => this.emit('resync'),
      onLost: () => this.emit('lost'),
    });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  start(): Promise<void> {
    return this.connection.start();
  }

  /** Sends a marker on the listening connection itself (no pool to queue behind). */
  async mark(token: string): Promise<void> {
    const client = this.connection.current;
    if (!client) throw new Error('webhook change feed is not connected');
    await client.query('SELECT pg_notify($1, $2)', [FEED_MARKS_CHANNEL, token]);
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }
}
