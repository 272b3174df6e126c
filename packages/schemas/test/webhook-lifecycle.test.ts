import { eventKey, validateEvent, webhookLifecycleEvent } from '../src/index.js';

describe('webhook lifecycle system events', () => {
  it.each([
    'jive:webhook_created',
    'jive:webhook_deleted',
    'jive:webhook_enabled',
    'jive:webhook_disabled',
    'jive:webhook_marked_buggy',
    'jive:webhook_marked_not_buggy',
  ] as const)('%s is a valid CloudEvent of the webhook system category', (verb) => {
    const ev = webhookLifecycleEvent({ verb, tenantId: 'tenant-1', webhookId: 'wh-1', publicUrl: 'https://hooks.example.com/', by: 'gateway' });
    const r = validateEvent(ev);
    expect(r.ok).toBe(true);
    expect(ev).toMatchObject({ type: verb, subject: 'wh-1', tenantid: 'tenant-1', data: { verb, jive: { objectID: 'wh-1', objectType: 'webhook' } } });
    expect(ev.data.provider?.url).toBe('https://hooks.example.com');
  });

  it('keys events by tenant and subject, falling back to the id', () => {
    expect(eventKey({ tenantid: 't', subject: 's', id: 'i' })).toBe('t:s');
    expect(eventKey({ tenantid: 't', id: 'i' })).toBe('t:i');
  });
});
