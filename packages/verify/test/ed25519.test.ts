// v1a: Ed25519 signatures with the Standard Webhooks key encodings (`whpk_` + base64 of the raw
// 32-byte public key, `whsk_` + base64 of the secret key), checked against keys and signatures
// made by node:crypto directly, not by the package under test.
import { createPublicKey, generateKeyPairSync, randomBytes, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import {
  InvalidKeyError,
  NoMatchingSignatureError,
  WebhookVerificationError,
  encodePublicKey,
  encodeSecretKey,
  generateKeyPair,
  parsePublicKey,
  parseSecretKey,
  publicKeyFromSecretKey,
  sign,
  verify,
} from '../src/index.js';

const NOW_S = 1_800_000_000;
const at = { now: NOW_S * 1000 };
const BODY = '{"type":"user-mentioned","data":{"text":"héllo"}}';

const rawPublic = (k: KeyObject) => Buffer.from(k.export({ format: 'jwk' }).x!, 'base64url');
const rawSeed = (k: KeyObject) => Buffer.from(k.export({ format: 'jwk' }).d!, 'base64url');

function nodeKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey, privateKey, whpk: 'whpk_' + rawPublic(publicKey).toString('base64') };
}

function v1aHeaders(privateKey: KeyObject, body: string | Buffer, id = 'msg_1', ts = NOW_S) {
  const sig = cryptoSign(null, Buffer.concat([Buffer.from(`${id}.${ts}.`), Buffer.from(body)]), privateKey).toString('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1a,${sig}` };
}

describe('verify(): v1a (Ed25519, whpk_ public keys)', () => {
  it('accepts a delivery signed by node:crypto with the matching whpk_ key', () => {
    const k = nodeKeys();
    expect(verify(BODY, v1aHeaders(k.privateKey, BODY), k.whpk, at)).toEqual({ id: 'msg_1', timestamp: new Date(NOW_S * 1000), version: 'v1a', keyIndex: 0 });
    expect(verify(Buffer.from(BODY), v1aHeaders(k.privateKey, BODY), [k.whpk], at).version).toBe('v1a');
  });

  it('refuses a tampered body, id or timestamp, and another key pair', () => {
    const k = nodeKeys();
    const h = v1aHeaders(k.privateKey, BODY);
    expect(() => verify(BODY + ' ', h, k.whpk, at)).toThrow(NoMatchingSignatureError);
    expect(() => verify(BODY, { ...h, 'webhook-id': 'msg_2' }, k.whpk, at)).toThrow(NoMatchingSignatureError);
    expect(() => verify(BODY, { ...h, 'webhook-timestamp': String(NOW_S - 1) }, k.whpk, at)).toThrow(NoMatchingSignatureError);
    expect(() => verify(BODY, h, nodeKeys().whpk, at)).toThrow(NoMatchingSignatureError);
  });

  it('refuses a signature of the wrong length or not in canonical base64 without throwing anything else', () => {
    const k = nodeKeys();
    const h = v1aHeaders(k.privateKey, BODY);
    const sig = h['webhook-signature'].slice(4);
    for (const bad of [sig.slice(0, -4), sig.replace(/==$/, ''), sig + 'AAAA', '-' + sig.slice(1), '', '!!!!']) {
      expect(() => verify(BODY, { ...h, 'webhook-signature': `v1a,${bad}` }, k.whpk, at)).toThrow(NoMatchingSignatureError);
    }
  });

  it('handles rotation: both signatures in one header, any of several public keys, mixed with v1 secrets', () => {
    const next = nodeKeys();
    const prev = nodeKeys();
    const secret = 'whsec_' + randomBytes(32).toString('base64');
    const both = `${v1aHeaders(next.privateKey, BODY)['webhook-signature']} ${v1aHeaders(prev.privateKey, BODY)['webhook-signature']}`;
    const h = { ...v1aHeaders(next.privateKey, BODY), 'webhook-signature': both };
    expect(verify(BODY, h, [prev.whpk], at).keyIndex).toBe(0);
    expect(verify(BODY, h, [secret, next.whpk], at)).toMatchObject({ version: 'v1a', keyIndex: 1 });
    expect(() => verify(BODY, h, [secret, nodeKeys().whpk], at)).toThrow(NoMatchingSignatureError);
  });

  it('says when a v1a delivery is checked with whsec_ secrets only', () => {
    const k = nodeKeys();
    try {
      verify(BODY, v1aHeaders(k.privateKey, BODY), 'whsec_' + randomBytes(32).toString('base64'), at);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(WebhookVerificationError);
      expect((e as Error).message).toMatch(/no v1 signature.*whpk_/);
    }
  });
});

describe('key encodings (whpk_, whsk_)', () => {
  it('parsePublicKey gives the KeyObject node:crypto made; encodePublicKey gives back the whpk_ string', () => {
    const k = nodeKeys();
    const parsed = parsePublicKey(k.whpk);
    expect(parsed.asymmetricKeyType).toBe('ed25519');
    expect(parsed.equals(k.publicKey)).toBe(true);
    expect(encodePublicKey(k.publicKey)).toBe(k.whpk);
  });

  it('whsk_ is base64 of the 64-byte secret key (seed then public key); the bare 32-byte seed is read too', () => {
    const k = nodeKeys();
    const whsk = encodeSecretKey(k.privateKey);
    expect(Buffer.from(whsk.slice(5), 'base64')).toEqual(Buffer.concat([rawSeed(k.privateKey), rawPublic(k.publicKey)]));
    expect(parseSecretKey(whsk).equals(k.privateKey)).toBe(true);
    expect(parseSecretKey('whsk_' + rawSeed(k.privateKey).toString('base64')).equals(k.privateKey)).toBe(true);
    expect(publicKeyFromSecretKey(whsk)).toBe(k.whpk);
  });

  it('refuses a 64-byte whsk_ whose public half does not belong to its seed', () => {
    const a = nodeKeys();
    const b = nodeKeys();
    const mixed = 'whsk_' + Buffer.concat([rawSeed(a.privateKey), rawPublic(b.publicKey)]).toString('base64');
    expect(() => parseSecretKey(mixed)).toThrow(InvalidKeyError);
  });

  it('refuses other lengths, other prefixes and non-canonical base64, never quoting the key', () => {
    const seed = randomBytes(32).toString('base64');
    for (const bad of ['whsk_' + randomBytes(48).toString('base64'), 'whpk_' + seed, 'whsk_' + seed.replace(/=$/, ''), seed]) {
      try {
        parseSecretKey(bad);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidKeyError);
        expect((e as Error).message).not.toContain(seed.slice(0, 12));
      }
    }
    expect(() => parsePublicKey('whpk_' + randomBytes(33).toString('base64'))).toThrow(InvalidKeyError);
  });

  it('sign() with a whsk_ key makes v1a signatures node:crypto verifies with the whpk_ key; generateKeyPair() pairs them', () => {
    const pair = generateKeyPair();
    expect(pair.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(pair.secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{86}==$/);
    const secret = 'whsec_' + randomBytes(32).toString('base64');
    const headers = sign(BODY, { id: 'msg_9', timestamp: NOW_S, keys: [pair.secretKey, secret] });
    const [v1a, v1] = headers['webhook-signature'].split(' ');
    expect(v1).toMatch(/^v1,/);
    // Node's crypto.verify with the published public key, as the acceptance asks.
    const x = Buffer.from(pair.publicKey.slice(5), 'base64').toString('base64url');
    const published = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    expect(cryptoVerify(null, Buffer.from(`msg_9.${NOW_S}.${BODY}`), published, Buffer.from(v1a!.slice(4), 'base64'))).toBe(true);
    expect(verify(BODY, headers, pair.publicKey, at)).toMatchObject({ version: 'v1a', id: 'msg_9' });
    expect(() => sign(BODY, { id: 'msg_9', timestamp: NOW_S, keys: pair.publicKey })).toThrow(InvalidKeyError);
  });
});
