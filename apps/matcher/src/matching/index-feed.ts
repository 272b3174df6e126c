import type { Logger } from '@hookstream/service-kit';
import type { WebhookRecord } from '@hookstream/store';

/** The changes the webhook cache announces (its EventEmitter events). */
export interface WebhookChanges {
  on(event: 'upsert', listener: (record: WebhookRecord) => void): unknown;
  on(event: 'remove', listener: (record: WebhookRecord) => void): unknown;
  on(event: 'reset', listener: () => void): unknown;
}

/** What the feed keeps up to date. */
export interface IndexTarget {
  upsert(record: WebhookRecord): void;
  remove(id: string): void;
  readonly size: number;
}

/**
 * Keeps the subscription index in step with the webhook cache. A webhook whose spec the index
 * cannot read is taken out of the index (its older version must not keep matching) and
 * logged, and the others stay indexed.
 */
export function feedIndex(changes: WebhookChanges, index: IndexTarget, logger: Pick<Logger, 'error' | 'info'>): void {
  changes.on('upsert', (record) => {
    try {
      index.upsert(record);
    } catch (e) {
      // A row the index cannot read must not take the others down with it.
      index.remove(record.id);
      logger.error({ err: e, webhook_id: record.id }, 'webhook not indexed: unreadable spec');
    }
  });
  changes.on('remove', (record) => index.remove(record.id));
  changes.on('reset', () => logger.info({ indexed: index.size }, 'subscription index resynchronised with PostgreSQL'));
}
