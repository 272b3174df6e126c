import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { ListeningConnection } from './listening-connection.js';

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
  private readonly connection: ListeningConnection;

  constructor(url: string, logger: Logger) {
    super();
    this.connection = new ListeningConnection(url, logger, {
      name: 'API key change feed',
      applicationName: 'hookstream-api-key-feed',
      channels: [API_KEY_CHANGES_CHANNEL],
      onNotification: (_channel, payload) => {
        try {
          this.emit('change', JSON.parse(payload) as ApiKeyChange);
        } catch (e) {
          logger.warn({ err: e }, 'unreadable API key change notification');
        }
      },
      onConnected: () => this.emit('resync'),
    });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  start(): Promise<void> {
    return this.connection.start();
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }
}
