import { createHmac, randomBytes } from 'node:crypto';
import {
  InvalidHeaderError,
  InvalidKeyError,
  InvalidTimestampError,
  MissingHeaderError,
  NoMatchingSignatureError,
  TimestampOutOfToleranceError,
  WebhookVerificationError,
  generateSigningSecret,
  parseSigningSecret,
  sign,
  verify,
} from '../src/index.js';

const SECRET = 'whsec_' + Buffer.from('a-32-byte-signing-key-for-tests!').toString('base64');
const OLD = 'whsec_' + randomBytes(32).toString('base64');
const NOW_S = 1_800_000_000;
const at = (s: number) => ({ now: s * 1000 });
const BODY = '{"type":"user-mentioned","data":{"text":"héllo"}}';

function hmacHeaders(secret: string, body: string | Buffer, id = 'msg_1', ts = NOW_S) {
  const key = Buffer.from(secret.slice(6), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${mac}` };
}

/** The error verify() throws, for asserting on its class and fields. */
function failure(fn: () => unknown): WebhookVerificationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WebhookVerificationError) return e;
    throw e;
  }
  throw new Error('verify() accepted the delivery');
}

describe('verify(): v1 (HMAC-SHA256, whsec_ secrets)', () => {
  it('matches the Standard Webhooks reference test vector', () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const result = verify('{"test": 2432232314}', headers, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', at(1614265330));
    expect(result).toEqual({ id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: new Date(1614265330_000), version: 'v1', keyIndex: 0 });
  });

  it('takes the body as a string, a Buffer, a Uint8Array or an ArrayBuffer (the same raw bytes)', () => {
    const headers = hmacHeaders(SECRET, BODY);
    const bytes = Buffer.from(BODY, 'utf8');
    for (const body of [BODY, bytes, new Uint8Array(bytes), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)]) {
      expect(verify(body, headers, SECRET, at(NOW_S)).id).toBe('msg_1');
    }
  });

  it('verifies bytes that are not valid UTF-8 as sent', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(verify(body, hmacHeaders(SECRET, body), SECRET, at(NOW_S)).version).toBe('v1');
  });

  it('refuses a parsed-and-reserialised JSON body (and explains why when given an object)', () => {
    const headers = hmacHeaders(SECRET, BODY);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 1);
    expect(failure(() => verify(reserialised, headers, SECRET, at(NOW_S)))).toBeInstanceOf(NoMatchingSignatureError);
    expect(() => verify(JSON.parse(BODY) as never, headers, SECRET, at(NOW_S))).toThrow(/raw request body/);
  });

  it('reads headers in any case, from a plain object, a Node IncomingHttpHeaders-style array or a Fetch Headers object', () => {
    const h = hmacHeaders(SECRET, BODY);
    const upper = { 'Webhook-Id': h['webhook-id'], 'WEBHOOK-TIMESTAMP': h['webhook-timestamp'], 'Webhook-Signature': h['webhook-signature'] };
    expect(verify(BODY, upper, SECRET, at(NOW_S)).id).toBe('msg_1');
    expect(verify(BODY, new Headers(upper), SECRET, at(NOW_S)).id).toBe('msg_1');
    expect(verify(BODY, { ...h, 'webhook-signature': ['v1,AAAA', h['webhook-signature']] }, SECRET, at(NOW_S)).id).toBe('msg_1');
  });

  it('accepts any of several signatures and any of several keys, and says which key matched (rotation)', () => {
    const both = {
      ...hmacHeaders(SECRET, BODY),
      'webhook-signature': `${hmacHeaders(SECRET, BODY)['webhook-signature']} ${hmacHeaders(OLD, BODY)['webhook-signature']}`,
    };
    expect(verify(BODY, both, [SECRET, OLD], at(NOW_S)).keyIndex).toBe(0);
    expect(verify(BODY, both, [OLD], at(NOW_S)).keyIndex).toBe(0);
    expect(verify(BODY, hmacHeaders(OLD, BODY), [SECRET, OLD], at(NOW_S)).keyIndex).toBe(1);
    expect(failure(() => verify(BODY, hmacHeaders(OLD, BODY), [SECRET], at(NOW_S)))).toBeInstanceOf(NoMatchingSignatureError);
  });

  it('checks the timestamp against a tolerance of 5 minutes by default, in both directions', () => {
    expect(verify(BODY, hmacHeaders(SECRET, BODY, 'msg_1', NOW_S - 300), SECRET, at(NOW_S)).id).toBe('msg_1');
    expect(verify(BODY, hmacHeaders(SECRET, BODY, 'msg_1', NOW_S + 300), SECRET, at(NOW_S)).id).toBe('msg_1');
    const old = failure(() => verify(BODY, hmacHeaders(SECRET, BODY, 'msg_1', NOW_S - 301), SECRET, at(NOW_S)));
    expect(old).toBeInstanceOf(TimestampOutOfToleranceError);
    expect(old.code).toBe('timestamp_too_old');
    const future = failure(() => verify(BODY, hmacHeaders(SECRET, BODY, 'msg_1', NOW_S + 301), SECRET, at(NOW_S)));
    expect(future.code).toBe('timestamp_too_new');
  });

  it('takes another tolerance (toleranceS), and refuses a negative or non-finite one', () => {
    const h = hmacHeaders(SECRET, BODY, 'msg_1', NOW_S - 30);
    expect(failure(() => verify(BODY, h, SECRET, { ...at(NOW_S), toleranceS: 10 })).code).toBe('timestamp_too_old');
    expect(verify(BODY, h, SECRET, { ...at(NOW_S), toleranceS: 30 }).id).toBe('msg_1');
    expect(verify(BODY, hmacHeaders(SECRET, BODY), SECRET, { ...at(NOW_S), toleranceS: 0 }).id).toBe('msg_1');
    expect(() => verify(BODY, h, SECRET, { toleranceS: -1 })).toThrow(RangeError);
    expect(() => verify(BODY, h, SECRET, { toleranceS: Number.NaN })).toThrow(RangeError);
  });

  it('checks the clock before the signature, so an old replayed delivery is refused as old', () => {
    const old = hmacHeaders(SECRET, BODY, 'msg_1', NOW_S - 3600);
    expect(failure(() => verify(BODY, old, SECRET, at(NOW_S)))).toBeInstanceOf(TimestampOutOfToleranceError);
  });

  it.each([
    ['webhook-id', { 'webhook-id': undefined }],
    ['webhook-timestamp', { 'webhook-timestamp': '' }],
    ['webhook-signature', { 'webhook-signature': undefined }],
  ])('names the missing header: %s', (name, change) => {
    const e = failure(() => verify(BODY, { ...hmacHeaders(SECRET, BODY), ...change }, SECRET, at(NOW_S)));
    expect(e).toBeInstanceOf(MissingHeaderError);
    expect(e.code).toBe('missing_header');
    expect((e as MissingHeaderError).header).toBe(name);
    expect(e.message).toContain(name);
  });

  it.each(['yesterday', '1.8e9', '-5', ' 1800000000', '18000000000000000000', '0x6b49d200'])('refuses the timestamp %j as invalid', (ts) => {
    const e = failure(() => verify(BODY, { ...hmacHeaders(SECRET, BODY), 'webhook-timestamp': ts }, SECRET, at(NOW_S)));
    expect(e).toBeInstanceOf(InvalidTimestampError);
    expect(e.code).toBe('invalid_timestamp');
  });

  it('refuses two different ids (a duplicated header) instead of picking one', () => {
    const e = failure(() => verify(BODY, { ...hmacHeaders(SECRET, BODY), 'webhook-id': ['msg_1', 'msg_2'] }, SECRET, at(NOW_S)));
    expect(e).toBeInstanceOf(InvalidHeaderError);
    expect(e.code).toBe('invalid_header');
  });

  it('says when the delivery carries no signature of a scheme it was given a key for', () => {
    const e = failure(() =>
      verify(BODY, { ...hmacHeaders(SECRET, BODY), 'webhook-signature': 'v1a,' + randomBytes(64).toString('base64') }, SECRET, at(NOW_S)),
    );
    expect(e.code).toBe('no_matching_signature');
    expect(e.message).toMatch(/no v1 signature/);
  });

  it.each([
    ['an empty list', []],
    ['a secret without the whsec_ prefix', [Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')]],
    ['whsec_ with nothing after it', ['whsec_']],
    ['whsec_ with url-safe base64', ['whsec_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_']],
    ['whsec_ with a trailing newline', [SECRET + '\n']],
    ['whsec_ with non-canonical base64 (stray trailing bits)', ['whsec_QUJ=']],
    ['a private key where a public one belongs', ['whsk_' + randomBytes(64).toString('base64')]],
    ['a whpk_ key of 31 bytes', ['whpk_' + randomBytes(31).toString('base64')]],
    ['a good key and a bad one', [SECRET, 'whsec_!!!!']],
  ])('refuses %s as a key with InvalidKeyError, never quoting it', (_what, keys) => {
    const e = failure(() => verify(BODY, hmacHeaders(SECRET, BODY), keys, at(NOW_S)));
    expect(e).toBeInstanceOf(InvalidKeyError);
    expect(e.code).toBe('invalid_key');
    for (const k of keys) if (k.length > 6) expect(e.message).not.toContain(k.slice(6, 20));
  });

  it('never puts a secret, a computed signature or the body in an error message', () => {
    const messages: string[] = [];
    const h = hmacHeaders(SECRET, BODY);
    for (const attempt of [
      () => verify(BODY + 'x', h, [SECRET, OLD], at(NOW_S)),
      () => verify(BODY, h, [OLD], at(NOW_S)),
      () => verify(BODY, h, [SECRET], at(NOW_S + 10_000)),
      () => verify(BODY, { ...h, 'webhook-signature': 'v1,' + 'A'.repeat(44) }, [SECRET], at(NOW_S)),
    ]) {
      const e = failure(attempt);
      messages.push(e.message, String(e.stack));
    }
    const all = messages.join('\n');
    for (const s of [SECRET, OLD]) expect(all).not.toContain(s.slice(6));
    expect(all).not.toContain(h['webhook-signature'].slice(3));
    expect(all).not.toContain('héllo');
  });

  it('is a WebhookVerificationError subclass for every refusal, so one catch answers 401/400', () => {
    for (const cls of [
      MissingHeaderError,
      InvalidHeaderError,
      InvalidTimestampError,
      TimestampOutOfToleranceError,
      NoMatchingSignatureError,
      InvalidKeyError,
    ]) {
      expect(cls.prototype).toBeInstanceOf(WebhookVerificationError);
    }
  });
});

describe('sign() and secrets', () => {
  it('signs what verify() accepts and what a hand-made HMAC gives', () => {
    const headers = sign(BODY, { id: 'msg_1', timestamp: NOW_S, keys: SECRET });
    expect(headers).toEqual(hmacHeaders(SECRET, BODY));
    expect(verify(BODY, headers, SECRET, at(NOW_S)).version).toBe('v1');
  });

  it('signs with every key given, space-separated, in the given order', () => {
    const headers = sign(BODY, { id: 'msg_1', timestamp: new Date(NOW_S * 1000), keys: [SECRET, OLD] });
    expect(headers['webhook-signature']).toBe(`${hmacHeaders(SECRET, BODY)['webhook-signature']} ${hmacHeaders(OLD, BODY)['webhook-signature']}`);
  });

  it('generates whsec_ secrets of 32 random bytes by default that parse strictly', () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseSigningSecret(a)).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(a);
    expect(parseSigningSecret(generateSigningSecret(64))).toHaveLength(64);
  });
});
