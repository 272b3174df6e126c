import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { decodeBase64Strict } from './base64.js';
import { InvalidKeyError } from './errors.js';

/** Serialisation prefixes of the Standard Webhooks specification. */
export const SECRET_PREFIX = 'whsec_';
export const PUBLIC_KEY_PREFIX = 'whpk_';
export const SECRET_KEY_PREFIX = 'whsk_';

const ED25519_KEY_BYTES = 32;
// DER headers of an Ed25519 key (RFC 8410): SubjectPublicKeyInfo and PKCS #8, each followed by the 32 raw bytes.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A key ready for verification: an HMAC key (`v1`) or an Ed25519 public key (`v1a`). */
export type VerificationKey = { version: 'v1'; hmacKey: Buffer } | { version: 'v1a'; publicKey: KeyObject };
/** A key ready for signing: an HMAC key (`v1`) or an Ed25519 private key (`v1a`). */
export type SigningKey = { version: 'v1'; hmacKey: Buffer } | { version: 'v1a'; privateKey: KeyObject };

function body(text: string, prefix: string, index: number): Buffer {
  const bytes = decodeBase64Strict(text.slice(prefix.length));
  if (!bytes || bytes.length === 0)
    throw new InvalidKeyError(index, `is not ${prefix} followed by standard base64 (padded, no whitespace, no URL-safe letters)`);
  return bytes;
}

function describePrefix(text: unknown): string {
  if (typeof text !== 'string') return `is a ${typeof text}, not a string`;
  return `starts with neither ${SECRET_PREFIX} nor ${PUBLIC_KEY_PREFIX}${text.startsWith(SECRET_KEY_PREFIX) ? ` (it is an Ed25519 secret key, ${SECRET_KEY_PREFIX}: give the public key, ${PUBLIC_KEY_PREFIX}, to verify)` : ''}`;
}

/** The HMAC key of a `whsec_` secret (any non-empty length, as the reference libraries accept). */
export function parseSigningSecret(secret: string, index = 0): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) throw new InvalidKeyError(index, `is not a ${SECRET_PREFIX} signing secret`);
  return body(secret, SECRET_PREFIX, index);
}

/** The Ed25519 public key of a `whpk_` string (base64 of the raw 32 bytes). */
export function parsePublicKey(whpk: string, index = 0): KeyObject {
  if (typeof whpk !== 'string' || !whpk.startsWith(PUBLIC_KEY_PREFIX)) throw new InvalidKeyError(index, `is not a ${PUBLIC_KEY_PREFIX} public key`);
  const raw = body(whpk, PUBLIC_KEY_PREFIX, index);
  if (raw.length !== ED25519_KEY_BYTES)
    throw new InvalidKeyError(index, `decodes to ${raw.length} bytes; a ${PUBLIC_KEY_PREFIX} Ed25519 public key has ${ED25519_KEY_BYTES}`);
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    throw new InvalidKeyError(index, 'is not a valid Ed25519 public key');
  }
}

/**
 * The Ed25519 private key of a `whsk_` string: base64 of the 64-byte secret key (seed then public
 * key, as libsodium, Go and Svix write it) or of the bare 32-byte seed (RFC 8032).
 */
export function parseSecretKey(whsk: string, index = 0): KeyObject {
  if (typeof whsk !== 'string' || !whsk.startsWith(SECRET_KEY_PREFIX)) throw new InvalidKeyError(index, `is not a ${SECRET_KEY_PREFIX} Ed25519 secret key`);
  const raw = body(whsk, SECRET_KEY_PREFIX, index);
  if (raw.length !== ED25519_KEY_BYTES && raw.length !== 2 * ED25519_KEY_BYTES) {
    throw new InvalidKeyError(
      index,
      `decodes to ${raw.length} bytes; a ${SECRET_KEY_PREFIX} Ed25519 secret key has ${2 * ED25519_KEY_BYTES} (seed and public key) or ${ED25519_KEY_BYTES} (seed)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, ED25519_KEY_BYTES)]), format: 'der', type: 'pkcs8' });
  } catch {
    throw new InvalidKeyError(index, 'is not a valid Ed25519 secret key');
  }
  // A 64-byte key whose second half is another key's public half would sign for a key nobody published.
  if (raw.length === 2 * ED25519_KEY_BYTES && !rawPublicKey(createPublicKey(key)).equals(raw.subarray(ED25519_KEY_BYTES))) {
    throw new InvalidKeyError(index, 'has a public half that does not belong to its seed');
  }
  return key;
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - ED25519_KEY_BYTES);
}

function rawSeed(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return der.subarray(der.length - ED25519_KEY_BYTES);
}

function assertEd25519(key: KeyObject, type: 'public' | 'private'): void {
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== type) throw new TypeError(`expected an Ed25519 ${type} KeyObject`);
}

/** `whpk_` + base64 of the raw public key, from a public or private Ed25519 KeyObject. */
export function encodePublicKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  assertEd25519(pub, 'public');
  return PUBLIC_KEY_PREFIX + rawPublicKey(pub).toString('base64');
}

/** `whsk_` + base64 of the 64-byte secret key (seed then public key). */
export function encodeSecretKey(key: KeyObject): string {
  assertEd25519(key, 'private');
  return SECRET_KEY_PREFIX + Buffer.concat([rawSeed(key), rawPublicKey(createPublicKey(key))]).toString('base64');
}

/** The `whpk_` public key that verifies what a `whsk_` secret key signs. */
export function publicKeyFromSecretKey(whsk: string): string {
  return encodePublicKey(parseSecretKey(whsk));
}

/** A new `whsec_` secret: `bytes` random bytes (the specification asks for 24 to 64; 32 by default). */
export function generateSigningSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 24 || bytes > 64) throw new RangeError('a signing secret has 24 to 64 random bytes');
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** A new Ed25519 key pair in the Standard Webhooks encodings. */
export function generateKeyPair(): { secretKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { secretKey: encodeSecretKey(privateKey), publicKey: encodePublicKey(privateKey) };
}

/** A key given to verify(): `whsec_` (v1) or `whpk_` (v1a). */
export function parseVerificationKey(key: string, index: number): VerificationKey {
  if (typeof key === 'string' && key.startsWith(SECRET_PREFIX)) return { version: 'v1', hmacKey: parseSigningSecret(key, index) };
  if (typeof key === 'string' && key.startsWith(PUBLIC_KEY_PREFIX)) return { version: 'v1a', publicKey: parsePublicKey(key, index) };
  throw new InvalidKeyError(index, describePrefix(key));
}

/** A key given to sign(): `whsec_` (v1) or `whsk_` (v1a). */
export function parseSigningKey(key: string, index: number): SigningKey {
  if (typeof key === 'string' && key.startsWith(SECRET_PREFIX)) return { version: 'v1', hmacKey: parseSigningSecret(key, index) };
  if (typeof key === 'string' && key.startsWith(SECRET_KEY_PREFIX)) return { version: 'v1a', privateKey: parseSecretKey(key, index) };
  throw new InvalidKeyError(
    index,
    `starts with neither ${SECRET_PREFIX} nor ${SECRET_KEY_PREFIX}: signing needs a secret (a ${PUBLIC_KEY_PREFIX} public key only verifies)`,
  );
}

/** One key or a list, checked non-empty. */
export function keyList(keys: string | readonly string[]): readonly string[] {
  const list = typeof keys === 'string' ? [keys] : keys;
  if (!Array.isArray(list) || list.length === 0) throw new InvalidKeyError(0, 'is missing: give at least one whsec_ or whpk_ key');
  return list;
}
