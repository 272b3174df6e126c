import { EventEmitter } from 'node:events';
import type { WebhookRecord } from '@hookstream/store';
import { feedIndex, type IndexTarget } from '../../src/matching/index-feed.js';
import { SubscriptionIndex } from '../../src/matching/subscription-index.js';
import { entity, record } from './records.js';

function logger() {
  const lines: string[] = [];
  return { lines, error: (_: unknown, msg?: string) => void lines.push(`error ${msg}`), info: (_: unknown, msg?: string) => void lines.push(`info ${msg}`) };
}

describe('feedIndex', () => {
  it('indexes upserted webhooks and drops removed ones', () => {
    const changes = new EventEmitter();
    const index = new SubscriptionIndex('https://hs.example');
    feedIndex(changes as never, index, logger());
    const a = record(entity('webhook'));
    const b = record(entity('webhook'));
    changes.emit('upsert', a);
    changes.emit('upsert', b);
    expect(index.size).toBe(2);
    changes.emit('remove', a);
    expect(index.size).toBe(1);
  });

  it('takes a webhook it cannot index out of the index, logs it, and keeps the others', () => {
    const changes = new EventEmitter();
    const removed: string[] = [];
    const indexed = new Set<string>(['old-version']);
    const target: IndexTarget = {
      upsert: (r: WebhookRecord) => {
        if (r.id === 'broken') throw new Error('unreadable spec');
        indexed.add(r.id);
      },
      remove: (id) => {
        removed.push(id);
        indexed.delete(id);
      },
      get size() {
        return indexed.size;
      },
    };
    const log = logger();
    feedIndex(changes as never, target, log);
    changes.emit('upsert', { ...record(entity('webhook')), id: 'broken' });
    changes.emit('upsert', { ...record(entity('webhook')), id: 'fine' });
    expect(removed).toEqual(['broken']);
    expect([...indexed].sort()).toEqual(['fine', 'old-version']);
    expect(log.lines).toEqual(['error webhook not indexed: unreadable spec']);
  });

  it('reports a resynchronisation with the number of webhooks indexed', () => {
    const changes = new EventEmitter();
    const log = logger();
    feedIndex(changes as never, new SubscriptionIndex('https://hs.example'), log);
    changes.emit('reset');
    expect(log.lines).toEqual(['info subscription index resynchronised with PostgreSQL']);
  });
});
