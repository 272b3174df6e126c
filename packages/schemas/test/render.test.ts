import { EVENT_CATALOGUE, EVENT_TYPES, fixtures, matchingChannels, normalizeWebhookRequest, renderDeliveredBody, validate } from '../src/index.js';
import type { WebhookSpec } from '../src/index.js';

describe('renderDeliveredBody', () => {
  it.each(EVENT_TYPES)('%s renders a body valid against the delivered schema', (type) => {
    const event = fixtures.envelope(type);
    delete (event.data as Record<string, unknown>).event_id;
    delete (event.data as Record<string, unknown>).type;
    const body = renderDeliveredBody(event, { webhookUri: fixtures.webhookUri });
    const r = validate(EVENT_CATALOGUE[type].delivered, body);
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('fills event_id from the CloudEvent id unless given, canonicalizes type, keeps unknown fields', () => {
    const data: Record<string, unknown> = { ...fixtures.eventData('liked-message'), type: 'liked-messages', extra: { kept: true } };
    delete data.event_id;
    const body = renderDeliveredBody(fixtures.envelope('liked-messages', data, { id: 'ce-id-1' }), { webhookUri: 'urn:x' });
    expect(body).toMatchObject({ event_id: 'ce-id-1', type: 'liked-message', extra: { kept: true } });
    expect(body.webhook).toBeUndefined();
    const given = renderDeliveredBody(fixtures.envelope('liked-message', { ...data, event_id: 'pub-1' }), { webhookUri: 'urn:x' });
    expect(given.event_id).toBe('pub-1');
  });

  it('sets webhook on activities and the chosen channels on notifications', () => {
    expect(renderDeliveredBody(fixtures.envelope('jive:created'), { webhookUri: 'https://h.example/w/1' }).webhook).toBe('https://h.example/w/1');
    expect(renderDeliveredBody(fixtures.envelope('user-followed'), { webhookUri: 'urn:x', channels: ['email'] }).channels).toEqual(['email']);
    expect(() => renderDeliveredBody(fixtures.envelope('nope', {}), { webhookUri: 'urn:x' })).toThrow(/unknown event type/);
  });
});

describe('matchingChannels', () => {
  const spec = (normalizeWebhookRequest(fixtures.webhookRequests.notificationJwt) as { ok: true; value: WebhookSpec }).value;

  it('intersects the requested channels with those the webhook registered the type on', () => {
    expect(matchingChannels(spec, 'user-mentioned', ['email', 'in-app'])).toEqual(['email']);
    expect(matchingChannels(spec, 'replied-your-message', ['email'])).toEqual(['email']);
    expect(matchingChannels(spec, 'user-mentioned', ['in-app'])).toEqual([]);
    expect(matchingChannels(spec, 'user-followed', ['email'])).toEqual([]);
    expect(matchingChannels(spec, 'jive:created', ['email'])).toEqual([]);
  });

  it('keeps the order of the event\'s list: "the channel will be removed from this list"', () => {
    const both = { registered_events: { email: ['user-mentioned' as const], 'in-app': ['user-mentioned' as const] } };
    expect(matchingChannels(both, 'user-mentioned', ['in-app', 'email'])).toEqual(['in-app', 'email']);
    expect(matchingChannels(both, 'user-mentioned', ['email', 'in-app', 'email'])).toEqual(['email', 'in-app']);
  });
});
