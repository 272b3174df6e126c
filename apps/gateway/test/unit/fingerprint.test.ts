import { fixtures, normalizeWebhookRequest, type WebhookSpec } from '@hookstream/schemas';
import { webhookFingerprint } from '../../src/webhooks/fingerprint.js';

const spec = (body: unknown): WebhookSpec => {
  const r = normalizeWebhookRequest(body);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};

describe('webhook fingerprint', () => {
  it('is the same for the same subscription whatever the order of events or the options', () => {
    const a = spec({ callback: 'https://x.example/hook', events: 'user_account,user_session' });
    const b = spec({ callback: 'https://X.EXAMPLE:443/hook', events: ['user_session', 'user_account'], timeout_ms: 5000, enabled: false });
    expect(webhookFingerprint(a)).toBe(webhookFingerprint(b));
    expect(webhookFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('treats notification type aliases as the canonical type', () => {
    const base = fixtures.webhookRequests.notificationJwt;
    const canonical = { ...base, registered_events: { email: ['user-mentioned', 'replied-message', 'liked-message'], 'in-app': [] } };
    expect(webhookFingerprint(spec(base))).toBe(webhookFingerprint(spec(canonical)));
    // The auth configuration is not part of the identity.
    expect(webhookFingerprint(spec(base))).toBe(
      webhookFingerprint(spec({ ...fixtures.webhookRequests.notificationToken, registered_events: canonical.registered_events })),
    );
  });

  it('differs when the endpoint, object, events, channels or spot differ', () => {
    const base = { callback: 'https://x.example/hook', object: 'https://sample.jiveon.com/api/core/v3/places/1' };
    const prints = new Set([
      webhookFingerprint(spec(base)),
      webhookFingerprint(spec({ ...base, callback: 'https://x.example/other' })),
      webhookFingerprint(spec({ ...base, object: 'https://sample.jiveon.com/api/core/v3/places/2' })),
      webhookFingerprint(spec({ ...base, events: 'document' })),
      webhookFingerprint(spec({ endpoint: 'https://x.example/hook', registered_events: { email: ['user-followed'] } })),
      webhookFingerprint(spec({ endpoint: 'https://x.example/hook', registered_events: { 'in-app': ['user-followed'] } })),
      webhookFingerprint(spec({ endpoint: 'https://x.example/hook', spot_id: 'sp_1', registered_events: { 'in-app': ['user-followed'] } })),
    ]);
    expect(prints.size).toBe(7);
  });
});

describe('webhook fingerprint and payload filters (issue 19.1)', () => {
  const base = { callback: 'https://x.example/hook', events: 'user_account' };
  it('two webhooks to one endpoint that differ only by their filter are two subscriptions, not a duplicate', () => {
    const approved = spec({ ...base, filter: { data: { state: 'approved' } } });
    const rejected = spec({ ...base, filter: { data: { state: 'rejected' } } });
    expect(webhookFingerprint(approved)).not.toBe(webhookFingerprint(rejected));
    expect(webhookFingerprint(approved)).not.toBe(webhookFingerprint(spec(base)));
  });
  it('a webhook without a filter keeps the fingerprint it had before filters existed (stored fingerprints stay valid)', () => {
    expect(webhookFingerprint(spec(base))).toBe('77c98aee1423705ef5abfcbb2b9e1c8b25757e70980ce8c8cb9dd074e1238780');
  });
});
