import { fixtures } from '@hookstream/schemas';
import { contentTypesOf, matchEvent } from '../../src/matching/rules.js';
import { eventSpots, spotLengthBit } from '../../src/matching/spot.js';
import { SubscriptionIndex } from '../../src/matching/subscription-index.js';
import { accepted, entity, notification, OTHER_TENANT, record } from './records.js';

const JIVE = 'https://sample.jiveon.com/api/core/v3';
const PLACE = `${JIVE}/places/1020`;

function indexOf(...records: ReturnType<typeof record>[]) {
  const index = new SubscriptionIndex('https://hs.example');
  for (const r of records) index.upsert(r);
  return index;
}

describe('matching rules', () => {
  it('notification: channels are the event channels the webhook registered the type on, in event order', () => {
    const email = record(notification(['replied-message']));
    const both = record(notification(['replied-your-message'], ['replied-message']));
    const inApp = record(notification([], ['replied-message']));
    const index = indexOf(email, both, inApp);
    const ev = accepted('replied-message', { ...fixtures.eventData('replied-message'), channels: ['in-app', 'email'] });
    const got = Object.fromEntries(matchEvent(index, ev).map((m) => [m.subscriber.id, m.channels]));
    expect(got).toEqual({ [email.id]: ['email'], [both.id]: ['in-app', 'email'], [inApp.id]: ['in-app'] });

    const emailOnly = accepted('replied-message', { ...fixtures.eventData('replied-message'), channels: ['email'] });
    expect(
      matchEvent(index, emailOnly)
        .map((m) => m.subscriber.id)
        .sort(),
    ).toEqual([email.id, both.id].sort());
  });

  it('notification: webhooks come in the event channel order, then index order, each once, and follow upserts and removals', () => {
    const both = record(notification(['user-mentioned'], ['user-mentioned'], { spot_id: 'sp_A' }));
    const inApp = record(notification([], ['user-mentioned']));
    const email = record(notification(['user-mentioned'], [], { spot_id: 'sp_A' }));
    const unbound = record(notification(['user-mentioned'], ['user-mentioned']));
    const index = indexOf(both, inApp, email, unbound);
    const ev = (channels: string[]) => accepted('user-mentioned', { ...fixtures.eventData('user-mentioned'), conversation_id: 'sp_A_post-1', channels });
    const got = (channels: string[]) => matchEvent(index, ev(channels)).map((m) => [m.subscriber.id, m.channels]);
    // Per channel: the unbound webhooks, then the spot's; a webhook of an earlier channel is not taken again.
    expect(got(['in-app', 'email'])).toEqual([
      [inApp.id, ['in-app']],
      [unbound.id, ['in-app', 'email']],
      [both.id, ['in-app', 'email']],
      [email.id, ['email']],
    ]);
    const matches = matchEvent(index, ev(['email', 'in-app']));
    // Webhooks given every channel share the event's list; one channel's webhooks share that channel's list.
    expect(matches.find((m) => m.subscriber.id === both.id)!.channels).toBe(matches.find((m) => m.subscriber.id === unbound.id)!.channels);
    expect(matchEvent(index, ev(['email', 'in-app'])).find((m) => m.subscriber.id === email.id)!.channels).toBe(
      matchEvent(index, ev(['in-app', 'email'])).find((m) => m.subscriber.id === email.id)!.channels,
    );
    // An upsert moves the webhook to the end of its lists; a removal leaves the others in order.
    index.upsert({ ...both, revision: 2 });
    index.remove(inApp.id);
    expect(got(['in-app', 'email'])).toEqual([
      [unbound.id, ['in-app', 'email']],
      [both.id, ['in-app', 'email']],
      [email.id, ['email']],
    ]);
    index.upsert({ ...both, spec: { ...both.spec, registered_events: { email: [], 'in-app': ['user-mentioned'] } }, revision: 3 });
    expect(got(['email'])).toEqual([
      [unbound.id, ['email']],
      [email.id, ['email']],
    ]);
    index.remove(email.id);
    index.remove(both.id);
    index.remove(unbound.id);
    expect(got(['email', 'in-app'])).toEqual([]);
    expect(index.notificationLists(ev(['email']).event.tenantid, 'user-mentioned')).toBeUndefined();
  });

  it("a test event (issue 20) matches only the webhook it names, subscribed or not, and never another tenant's", () => {
    const target = record(notification(['user-followed']));
    const subscribed = record(notification(['liked-message'], ['liked-message']));
    const foreign = record(notification(['liked-message']), { tenantId: OTHER_TENANT });
    const index = indexOf(target, subscribed, foreign);
    const test = (webhookId: string) => ({ ...accepted('liked-message'), testWebhookId: webhookId });
    expect(matchEvent(index, test(target.id)).map((m) => [m.subscriber.id, m.channels])).toEqual([[target.id, fixtures.eventData('liked-message').channels]]);
    expect(matchEvent(index, test(foreign.id))).toEqual([]);
    expect(matchEvent(index, test('0b0b0b0b-0000-4000-8000-000000000000'))).toEqual([]);
    // Without the marker the same event reaches its subscribers as ever.
    expect(matchEvent(index, accepted('liked-message')).map((m) => m.subscriber.id)).toEqual([subscribed.id]);
  });

  it('notification: an empty intersection is no match (the seed: no registered channels, nothing sent)', () => {
    const index = indexOf(record(notification([], ['user-followed'])));
    const ev = accepted('user-followed', { ...fixtures.eventData('user-followed'), channels: ['email'] });
    expect(matchEvent(index, ev)).toEqual([]);
  });

  it('notification: spot-bound webhooks receive only their spot; events name it by spotid or conversation_id prefix', () => {
    const a = record(notification(['user-mentioned'], [], { spot_id: 'sp_Hr4ld2024' }));
    const b = record(notification(['user-mentioned'], [], { spot_id: 'sp_other' }));
    const any = record(notification(['user-mentioned']));
    const index = indexOf(a, b, any);
    const ids = (ev: ReturnType<typeof accepted>) =>
      matchEvent(index, ev)
        .map((m) => m.subscriber.id)
        .sort();
    // Fixture conversation_id: sp_Hr4ld2024_city-council-budget-vote
    expect(ids(accepted('user-mentioned'))).toEqual([a.id, any.id].sort());
    expect(ids(accepted('user-mentioned', undefined, { spotid: 'sp_other' }))).toEqual([b.id, any.id].sort());
    const noConversation = fixtures.eventData('user-mentioned');
    noConversation.conversation_id = 'nounderscore';
    expect(ids(accepted('user-mentioned', noConversation))).toEqual([any.id]);
  });

  it('eventSpots lists every "_"-terminated prefix of conversation_id unless spotid is set', () => {
    expect(eventSpots(accepted('user-mentioned', { ...fixtures.eventData('user-mentioned'), conversation_id: 'sp_a_b' }).event)).toEqual(['sp', 'sp_a']);
    expect(eventSpots(accepted('user-mentioned', undefined, { spotid: 'sp_x' }).event)).toEqual(['sp_x']);
    const d = fixtures.eventData('user-followed');
    delete d.conversation_id;
    expect(eventSpots(accepted('user-followed', d).event)).toEqual([]);
  });

  it('eventSpots leaves out the candidates of lengths no indexed spot id has; lengths of 31 and more share a bit', () => {
    const ev = (conversation_id: string) => accepted('user-mentioned', { ...fixtures.eventData('user-mentioned'), conversation_id }).event;
    expect(eventSpots(ev('sp_a_b'), spotLengthBit(4))).toEqual(['sp_a']);
    expect(eventSpots(ev('sp_a_b'), spotLengthBit(2) | spotLengthBit(4))).toEqual(['sp', 'sp_a']);
    expect(eventSpots(ev('sp_a_b'), 0)).toEqual([]);
    const long = `sp_${'x'.repeat(40)}_${'y'.repeat(5)}`;
    expect(eventSpots(ev(`${long}_post`), spotLengthBit(31))).toEqual([long.slice(0, 43), long]);
  });

  it('notification: the spots looked up follow the lengths of the spot ids indexed, through upserts and removals', () => {
    const short = record(notification(['user-mentioned'], [], { spot_id: 'sp' }));
    const long = record(notification(['user-mentioned'], [], { spot_id: 'sp_Hr4ld2024' }));
    const longer = record(notification(['user-mentioned'], [], { spot_id: 'sp_Hr4ld2024_city' }));
    const index = indexOf(short, long);
    const lists = () => index.notificationLists(long.tenantId, 'user-mentioned')!;
    const ids = () =>
      matchEvent(index, accepted('user-mentioned'))
        .map((m) => m.subscriber.id)
        .sort();
    // Fixture conversation_id: sp_Hr4ld2024_city-council-budget-vote, so candidates sp, sp_Hr4ld2024.
    expect(lists().spotLengths).toBe(spotLengthBit(2) | spotLengthBit(12));
    expect(ids()).toEqual([short.id, long.id].sort());
    index.remove(short.id);
    expect(lists().spotLengths).toBe(spotLengthBit(12));
    expect(ids()).toEqual([long.id]);
    index.upsert(longer);
    index.upsert(short);
    expect(ids()).toEqual([short.id, long.id].sort());
    index.remove(long.id);
    expect(lists().spotLengths).toBe(spotLengthBit(2) | spotLengthBit(17));
    expect(ids()).toEqual([short.id]);
    // A spot id of the same length as another's stays looked up when one of them goes.
    const sameLength = record(notification(['user-mentioned'], [], { spot_id: 'sp_Hr4ld2024' }));
    index.upsert(sameLength);
    index.upsert(record(notification(['user-mentioned'], [], { spot_id: 'sp_Xx4ld2024' })));
    index.remove(sameLength.id);
    expect(lists().spotLengths & spotLengthBit(12)).not.toBe(0);
  });

  it('content: target container, object or parent content; the content-type filter; other tenants never', () => {
    const docsInPlace = record(entity('document', PLACE));
    const allInPlace = record(entity(undefined, PLACE));
    const onDocument = record(entity(undefined, `${JIVE}/contents/2051`));
    const foreign = record(entity(undefined, PLACE), { tenantId: OTHER_TENANT });
    const index = indexOf(docsInPlace, allInPlace, onDocument, foreign);
    const ids = (type: string, data?: Record<string, unknown>) =>
      matchEvent(index, accepted(type, data))
        .map((m) => m.subscriber.id)
        .sort();
    expect(ids('jive:created')).toEqual([docsInPlace.id, allInPlace.id, onDocument.id].sort());
    expect(ids('jive:commented')).toEqual([docsInPlace.id, allInPlace.id, onDocument.id].sort());
    expect(ids('jive:replied')).toEqual([allInPlace.id]);
    const discussion = { ...fixtures.eventData('jive:created'), object: { id: `${JIVE}/contents/9`, objectType: 'jive:discussion' } };
    expect(ids('jive:created', discussion)).toEqual([allInPlace.id]);
  });

  it('contentTypesOf gives the object type then the parent type, namespace dropped', () => {
    expect(contentTypesOf(fixtures.eventData('jive:commented'))).toEqual(['comment', 'document']);
    expect(contentTypesOf(fixtures.eventData('jive:created'))).toEqual(['document']);
  });

  it('system: webhooks listing the category of the verb', () => {
    const accounts = record(entity('user_account,user_session'));
    const hooks = record(entity('webhook'));
    const index = indexOf(accounts, hooks);
    expect(matchEvent(index, accepted('jive:user_type_modified')).map((m) => m.subscriber.id)).toEqual([accounts.id]);
    expect(matchEvent(index, accepted('jive:webhook_marked_buggy')).map((m) => m.subscriber.id)).toEqual([hooks.id]);
    expect(matchEvent(index, accepted('jive:social_group_created'))).toEqual([]);
  });
});
