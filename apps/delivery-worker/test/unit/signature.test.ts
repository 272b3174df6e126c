import { createHmac, randomBytes } from 'node:crypto';
import { fixtures, normalizeWebhookRequest } from '@hookstream/schemas';
import { Webhook } from 'standardwebhooks';
import { AuthError } from '../../src/auth/errors.js';
import { signingKey, webhookSignature } from '../../src/auth/signature.js';

describe('webhook signature (Standard Webhooks)', () => {
  it('signs "id.timestamp.body" with HMAC-SHA256, base64, prefixed v1 (a plain secret of an old row keeps its UTF-8 key)', () => {
    const secret = 'a-signing-secret-of-24-chars-or-more';
    const sig = webhookSignature(secret, 'msg_1', 1700000000, '{"a":1}');
    const expected = createHmac('sha256', secret).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(sig).toBe(`v1,${expected}`);
  });

  it('matches the Standard Webhooks reference example for a whsec_ secret', () => {
    // Test vector of the Standard Webhooks specification's reference libraries.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(webhookSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(signingKey(secret)).toEqual(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'));
  });

  it.each([24, 25, 26, 32, 48, 63, 64])('#16.2: every accepted secret (whsec_ + base64 of %i bytes) verifies with the standardwebhooks library', (bytes) => {
    for (let i = 0; i < 20; i++) {
      const secret = 'whsec_' + randomBytes(bytes).toString('base64');
      const accepted = normalizeWebhookRequest({ ...fixtures.webhookRequests.contentWebhook, signing_secret: secret });
      expect(accepted.ok).toBe(true);
      const body = JSON.stringify({ n: i, text: 'héllo' });
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'webhook-id': `msg_${i}`,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': webhookSignature(secret, `msg_${i}`, timestamp, body),
      };
      expect(new Webhook(secret).verify(body, headers)).toEqual({ n: i, text: 'héllo' });
    }
  });

  it.each([
    ['invalid base64 (Node would read an empty key)', 'whsec_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'],
    ['nothing after the prefix', 'whsec_'],
    ['url-safe base64', 'whsec_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_'],
  ])('#16.2: a stored whsec_ secret with %s is refused at send time instead of signing with a forgeable key', (_what, secret) => {
    expect(() => webhookSignature(secret, 'msg_1', 1700000000, '{}')).toThrow(AuthError);
    expect(() => webhookSignature(secret, 'msg_1', 1700000000, '{}')).toThrow(/openssl rand -base64 32/);
  });
});
