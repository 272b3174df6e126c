import { createHmac } from 'node:crypto';
import { signingKey, webhookSignature } from '../../src/auth/signature.js';

describe('webhook signature (Standard Webhooks)', () => {
  it('signs "id.timestamp.body" with HMAC-SHA256, base64, prefixed v1', () => {
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
});
