import { createHmac, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { ed25519PublicKey, ed25519PublicKeyOf, fixtures, generateEd25519SecretKey, generateSigningSecret, normalizeWebhookRequest } from '@hookstream/schemas';
import { verify as hookstreamVerify, parseSecretKey } from '@hookstream/verify';
import { Webhook } from 'standardwebhooks';
import { AuthError } from '../../src/auth/errors.js';
import { signatureHeader, signingKey, webhookSignature } from '../../src/auth/signature.js';

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

describe('signing keys valid at the attempt (issue 18.1 rotation, 18.2 ed25519)', () => {
  const body = '{"hello":"world"}';
  const at = 1_800_000_000;
  const oldSecret = generateSigningSecret();
  const newSecret = generateSigningSecret();
  const rotated = { signing_secret: newSecret, previous_signing_secret: oldSecret, previous_signing_expires_at: new Date((at + 5) * 1000).toISOString() };

  it('18.1: during the grace period the header carries "v1,<new> v1,<old>" and the standardwebhooks library verifies it with either secret', () => {
    const header = signatureHeader(rotated, 'msg_rot', at, body);
    expect(header).toBe(`${webhookSignature(newSecret, 'msg_rot', at, body)} ${webhookSignature(oldSecret, 'msg_rot', at, body)}`);
    const headers = { 'webhook-id': 'msg_rot', 'webhook-timestamp': String(at), 'webhook-signature': header! };
    // The library checks the timestamp against its clock: verify at the signing time.
    const realNow = Date.now;
    Date.now = () => at * 1000;
    try {
      expect(new Webhook(newSecret).verify(body, headers)).toEqual({ hello: 'world' });
      expect(new Webhook(oldSecret).verify(body, headers)).toEqual({ hello: 'world' });
    } finally {
      Date.now = realNow;
    }
  });

  it('a secrets object changed in place signs with its new keys, never with the ones cached for it', () => {
    const secrets: { signing_secret: string; previous_signing_secret?: string; previous_signing_expires_at?: string } = { signing_secret: oldSecret };
    expect(signatureHeader(secrets, 'msg_mut', at, body)).toBe(webhookSignature(oldSecret, 'msg_mut', at, body));
    secrets.signing_secret = newSecret;
    expect(signatureHeader(secrets, 'msg_mut', at, body)).toBe(webhookSignature(newSecret, 'msg_mut', at, body));
    const third = generateSigningSecret();
    Object.assign(secrets, { previous_signing_secret: oldSecret, previous_signing_expires_at: rotated.previous_signing_expires_at });
    expect(signatureHeader(secrets, 'msg_mut', at, body)).toBe(
      `${webhookSignature(newSecret, 'msg_mut', at, body)} ${webhookSignature(oldSecret, 'msg_mut', at, body)}`,
    );
    secrets.previous_signing_secret = third;
    expect(signatureHeader(secrets, 'msg_mut', at, body)).toBe(
      `${webhookSignature(newSecret, 'msg_mut', at, body)} ${webhookSignature(third, 'msg_mut', at, body)}`,
    );
  });

  it('18.1: packages/verify accepts a grace-period delivery with either secret alone', () => {
    const headers = { 'webhook-id': 'msg_rot', 'webhook-timestamp': String(at), 'webhook-signature': signatureHeader(rotated, 'msg_rot', at, body)! };
    for (const key of [newSecret, oldSecret]) expect(() => hookstreamVerify(body, headers, [key], { now: at * 1000 })).not.toThrow();
  });

  it('18.1: from the expiry on (judged at the attempt timestamp) only the new secret signs', () => {
    expect(signatureHeader(rotated, 'msg_rot', at + 5, body)).toBe(webhookSignature(newSecret, 'msg_rot', at + 5, body));
    expect(signatureHeader({ signing_secret: newSecret }, 'msg_rot', at, body)).toBe(webhookSignature(newSecret, 'msg_rot', at, body));
    expect(signatureHeader({}, 'msg_rot', at, body)).toBeUndefined();
  });

  it('18.2: a whsk_ key signs "v1a,<base64 Ed25519 signature>" over id.timestamp.body, verified by crypto.verify with the whpk_ key', () => {
    const secretKey = generateEd25519SecretKey();
    const publicKey = ed25519PublicKeyOf(secretKey)!;
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const header = signatureHeader({ signing_secret: secretKey }, 'msg_ed', at, body)!;
    expect(header).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const sig = Buffer.from(header.slice('v1a,'.length), 'base64');
    expect(cryptoVerify(null, Buffer.from(`msg_ed.${at}.${body}`), ed25519PublicKey(publicKey)!, sig)).toBe(true);
    expect(cryptoVerify(null, Buffer.from(`msg_ed.${at}.${body}x`), ed25519PublicKey(publicKey)!, sig)).toBe(false);
    const headers = { 'webhook-id': 'msg_ed', 'webhook-timestamp': String(at), 'webhook-signature': header };
    expect(() => hookstreamVerify(body, headers, [publicKey], { now: at * 1000 })).not.toThrow();
    // The key's form (seed then public key, 64 bytes) is the one packages/verify and libsodium read.
    expect(Buffer.from(secretKey.slice(5), 'base64')).toHaveLength(64);
    expect(() => parseSecretKey(secretKey)).not.toThrow();
  });

  it('18.2: an ed25519 rotation carries both v1a signatures during the grace period', () => {
    const [oldKey, newKey] = [generateEd25519SecretKey(), generateEd25519SecretKey()];
    const header = signatureHeader(
      { signing_secret: newKey, previous_signing_secret: oldKey, previous_signing_expires_at: new Date((at + 1) * 1000).toISOString() },
      'm',
      at,
      body,
    )!;
    const [first, second] = header.split(' ').map((s) => Buffer.from(s.slice(4), 'base64'));
    expect(cryptoVerify(null, Buffer.from(`m.${at}.${body}`), ed25519PublicKey(ed25519PublicKeyOf(newKey)!)!, first!)).toBe(true);
    expect(cryptoVerify(null, Buffer.from(`m.${at}.${body}`), ed25519PublicKey(ed25519PublicKeyOf(oldKey)!)!, second!)).toBe(true);
  });

  it('18.2: a malformed stored whsk_ key (or one whose public half belongs to another key) is refused at send time', () => {
    expect(() => signatureHeader({ signing_secret: 'whsk_short' }, 'm', at, body)).toThrow(AuthError);
    const [a, b] = [generateEd25519SecretKey(), generateEd25519SecretKey()].map((k) => Buffer.from(k.slice(5), 'base64'));
    const mixed = 'whsk_' + Buffer.concat([a!.subarray(0, 32), b!.subarray(32)]).toString('base64');
    expect(() => signatureHeader({ signing_secret: mixed }, 'm', at, body)).toThrow(AuthError);
  });

  it('signs every attempt of a webhook with its current keys: the same secrets object signs each new request anew, verifiably', () => {
    const secrets = { signing_secret: generateSigningSecret() };
    for (const [id, ts, text] of [
      ['m1', at, body],
      ['m2', at + 1, '{"other":true}'],
      ['m1', at, body],
    ] as const) {
      const header = signatureHeader(secrets, id, ts, text)!;
      expect(header).toBe(webhookSignature(secrets.signing_secret, id, ts, text));
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': header };
      expect(() => hookstreamVerify(text, headers, [secrets.signing_secret], { now: ts * 1000 })).not.toThrow();
    }
  });

  it('refuses a malformed signing secret at every attempt, not only the first', () => {
    const secrets = { signing_secret: 'whsec_!!!!' };
    expect(() => signatureHeader(secrets, 'm', at, body)).toThrow(AuthError);
    expect(() => signatureHeader(secrets, 'm', at, body)).toThrow(AuthError);
  });

  it("fails the grace period's attempts of a malformed previous key, and no attempt after it", () => {
    const current = generateSigningSecret();
    const secrets = { signing_secret: current, previous_signing_secret: 'whsec_!!!!', previous_signing_expires_at: new Date((at + 5) * 1000).toISOString() };
    expect(signatureHeader(secrets, 'm', at + 5, body)).toBe(webhookSignature(current, 'm', at + 5, body));
    expect(() => signatureHeader(secrets, 'm', at, body)).toThrow(AuthError);
    expect(() => signatureHeader(secrets, 'm', at + 1, body)).toThrow(AuthError);
    expect(signatureHeader(secrets, 'm', at + 6, body)).toBe(webhookSignature(current, 'm', at + 6, body));
  });

  it('signs with the current key only when the grace end is not a date', () => {
    const current = generateSigningSecret();
    const secrets = { signing_secret: current, previous_signing_secret: generateSigningSecret(), previous_signing_expires_at: 'not a date' };
    expect(signatureHeader(secrets, 'm', at, body)).toBe(webhookSignature(current, 'm', at, body));
  });
});
