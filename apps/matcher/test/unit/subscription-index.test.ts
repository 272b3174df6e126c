import { SubscriptionIndex } from '../../src/matching/subscription-index.js';
import { entity, notification, OTHER_TENANT, record, TENANT } from './records.js';

const PLACE = 'https://sample.jiveon.com/api/core/v3/places/1020';

describe('SubscriptionIndex', () => {
  it('indexes notification webhooks by tenant + type + channel, and spot-bound ones by spot', () => {
    const index = new SubscriptionIndex('https://hs.example/');
    const a = record(notification(['user-mentioned'], ['liked-messages']));
    const b = record(notification(['user-mentioned'], [], { spot_id: 'sp_A' }));
    index.upsert(a);
    index.upsert(b);
    expect([...index.notificationBucket(TENANT, 'user-mentioned', 'email')!.anySpot.keys()]).toEqual([a.id]);
    expect([...index.notificationBucket(TENANT, 'user-mentioned', 'email')!.bySpot.get('sp_A')!.keys()]).toEqual([b.id]);
    // Aliases are stored canonical by normalization.
    expect([...index.notificationBucket(TENANT, 'liked-message', 'in-app')!.anySpot.keys()]).toEqual([a.id]);
    expect(index.notificationBucket(TENANT, 'user-mentioned', 'in-app')).toBeUndefined();
    expect(index.notificationBucket(OTHER_TENANT, 'user-mentioned', 'email')).toBeUndefined();
    expect(index.notificationBucket(TENANT, 'user-mentioned', 'email')!.anySpot.get(a.id)!.uri).toBe(`https://hs.example/v1/webhooks/${a.id}`);
  });

  it('indexes system webhooks by category and content webhooks by watched object', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const sys = record(entity('user_account,webhook'));
    const base = record(entity('document', PLACE));
    // A stored filter is compared case-insensitively with the event's content type.
    const content = { ...base, spec: { ...base.spec, events: ['Document'] } };
    index.upsert(sys);
    index.upsert(content);
    expect([...index.systemSubscribers(TENANT, 'user_account').keys()]).toEqual([sys.id]);
    expect([...index.systemSubscribers(TENANT, 'webhook').keys()]).toEqual([sys.id]);
    expect(index.systemSubscribers(TENANT, 'stream').size).toBe(0);
    const sub = index.contentSubscribers(TENANT, PLACE).get(content.id)!;
    expect([...sub.contentTypes!]).toEqual(['document']);
    expect(index.contentSubscribers(OTHER_TENANT, PLACE).size).toBe(0);
    expect(index.size).toBe(2);
  });

  it('replaces a changed webhook everywhere, drops disabled and removed ones, and cleans empty keys', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const w = record(entity('social_group'));
    index.upsert(w);
    index.upsert({ ...w, spec: { ...w.spec, events: ['stream'] }, revision: 2 });
    expect(index.systemSubscribers(TENANT, 'social_group').size).toBe(0);
    expect(index.systemSubscribers(TENANT, 'stream').has(w.id)).toBe(true);
    index.upsert({ ...w, enabled: false });
    expect(index.has(w.id)).toBe(false);
    expect(index.systemSubscribers(TENANT, 'stream').size).toBe(0);

    const n = record(notification(['user-followed'], [], { spot_id: 'sp_Z' }));
    index.upsert(n);
    index.remove(n.id);
    expect(index.notificationBucket(TENANT, 'user-followed', 'email')).toBeUndefined();
    expect(index.size).toBe(0);
    index.remove('not-there');
  });

  it('removes a webhook from the places it shares with others and leaves them there', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const a = record(notification(['user-mentioned'], ['user-mentioned'], { spot_id: 'sp_A' }));
    const b = record(notification(['user-mentioned'], [], { spot_id: 'sp_A' }));
    const c = record(entity('document', PLACE));
    const d = record(entity('document', PLACE));
    for (const w of [a, b, c, d]) index.upsert(w);
    index.remove(a.id);
    index.remove(c.id);
    expect([...index.notificationBucket(TENANT, 'user-mentioned', 'email')!.bySpot.get('sp_A')!.keys()]).toEqual([b.id]);
    expect(index.notificationBucket(TENANT, 'user-mentioned', 'in-app')).toBeUndefined();
    expect([...index.contentSubscribers(TENANT, PLACE).keys()]).toEqual([d.id]);
    index.remove(d.id);
    expect(index.contentSubscribers(TENANT, PLACE).size).toBe(0);
    expect(index.size).toBe(1);
  });

  it('keeps buggy webhooks (flagged) so the matcher can record skipped deliveries', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const w = record(entity('stream'), { buggy: true });
    index.upsert(w);
    expect(index.systemSubscribers(TENANT, 'stream').get(w.id)!.buggy).toBe(true);
  });
});
