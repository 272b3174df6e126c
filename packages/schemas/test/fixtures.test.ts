import { EVENT_TYPES, fixtures, NOTIFICATION_TYPES, CONTENT_VERBS, SYSTEM_VERBS, validateEvent, validateDeliveryJob } from '../src/index.js';

describe('fixtures', () => {
  it('have one example per catalogue type', () => {
    expect(Object.keys(fixtures.notifications).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    expect(Object.keys(fixtures.contentActivities).sort()).toEqual([...CONTENT_VERBS].sort());
    expect(Object.keys(fixtures.systemActivities).sort()).toEqual([...SYSTEM_VERBS].sort());
    expect(Object.keys(fixtures.events).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('hand out fresh copies, so tests can mutate them', () => {
    const a = fixtures.notifications['replied-message'];
    a.user.user_id = 'changed';
    expect(fixtures.notifications['replied-message'].user.user_id).not.toBe('changed');
    const b = fixtures.webhookRequests;
    b.notificationToken.retry_base = 9;
    expect(fixtures.webhookRequests.notificationToken.retry_base).toBe(2);
  });

  it('envelope() builds a valid CloudEvent with tenantid, fresh id, and applies overrides', () => {
    const e1 = fixtures.envelope('replied-message');
    const e2 = fixtures.envelope('replied-message');
    expect(e1).toMatchObject({ specversion: '1.0', type: 'replied-message', tenantid: fixtures.tenantId, datacontenttype: 'application/json' });
    expect(e1.id).not.toBe(e2.id);
    expect(validateEvent(e1).ok).toBe(true);
    const custom = fixtures.envelope('user-followed', { ...fixtures.eventData('user-followed'), channels: ['email'] }, { id: 'evt-1', tenantid: 'other' });
    expect(custom).toMatchObject({ id: 'evt-1', tenantid: 'other', data: { channels: ['email'] } });
    expect(() => fixtures.envelope('nope')).toThrow(/unknown event type/);
  });

  it('deliveryJob() is a valid first attempt', () => {
    const job = fixtures.deliveryJob('jive:created');
    expect(validateDeliveryJob(job).ok).toBe(true);
    expect(job).toMatchObject({ attempt: 1, event_type: 'jive:created', webhook_id: fixtures.webhookId, body: { webhook: fixtures.webhookUri } });
  });
});
