import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { decodeWhsecSecret, SIGNING_SECRET_PREFIX } from './signing-secret.js';

/**
 * How a webhook's deliveries are signed: `hmac-sha256` (Standard Webhooks `v1`, a shared `whsec_`
 * secret) or `ed25519` (Standard Webhooks `v1a`: hookstream keeps the `whsk_` private key, the
 * partner verifies with the `whpk_` public key and cannot forge a delivery with it).
 */
export const SIGNATURE_SCHEMES = ['hmac-sha256', 'ed25519'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export const ED25519_SECRET_KEY_PREFIX = 'whsk_';
export const ED25519_PUBLIC_KEY_PREFIX = 'whpk_';

/** Rotation: how long the previous key keeps signing next to the new one unless the request says otherwise. */
export const DEFAULT_ROTATION_GRACE_S = 86_400;
export const MAX_ROTATION_GRACE_S = 604_800;

const GENERATED_SECRET_BYTES = 32;
// DER headers of an Ed25519 key (RFC 8410): PKCS#8 for the 32-byte seed, SPKI for the 32-byte public key.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A server-generated HMAC signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return SIGNING_SECRET_PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64');
}

/**
 * A server-generated Ed25519 private key: `whsk_` + base64 of the 64-byte secret key (the 32-byte
 * seed, then the public key), the form libsodium, Go and Svix write for Standard Webhooks keys.
 */
export function generateEd25519SecretKey(): string {
  const seed = randomBytes(32);
  const pub = rawPublicKey(seedKey(seed));
  return ED25519_SECRET_KEY_PREFIX + Buffer.concat([seed, pub]).toString('base64');
}

const seedKey = (seed: Buffer): KeyObject => createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
const rawPublicKey = (priv: KeyObject): Buffer => createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);

/**
 * The seed of a `whsk_` key (base64 of seed + public key, or of the bare 32-byte seed of RFC
 * 8032), or undefined when it is malformed or its public half belongs to another seed (it would
 * sign for a key nobody published).
 */
function ed25519Seed(secretKey: string): Buffer | undefined {
  if (!secretKey.startsWith(ED25519_SECRET_KEY_PREFIX)) return undefined;
  const raw = decodeWhsecSecret(SIGNING_SECRET_PREFIX + secretKey.slice(ED25519_SECRET_KEY_PREFIX.length));
  if (raw?.length === 32) return raw;
  if (raw?.length !== 64) return undefined;
  const seed = raw.subarray(0, 32);
  return rawPublicKey(seedKey(seed)).equals(raw.subarray(32)) ? seed : undefined;
}

export function isEd25519SecretKey(key: string): boolean {
  return key.startsWith(ED25519_SECRET_KEY_PREFIX);
}

/** Node's private key object of a `whsk_` key; undefined when the key is malformed. */
export function ed25519PrivateKey(secretKey: string): KeyObject | undefined {
  const seed = ed25519Seed(secretKey);
  return seed ? seedKey(seed) : undefined;
}

/** The `whpk_` public key (base64 of the raw 32 bytes) of a `whsk_` private key. */
export function ed25519PublicKeyOf(secretKey: string): string | undefined {
  const priv = ed25519PrivateKey(secretKey);
  return priv ? ED25519_PUBLIC_KEY_PREFIX + rawPublicKey(priv).toString('base64') : undefined;
}

/** Node's public key object of a `whpk_` key (what a receiver passes to crypto.verify). */
export function ed25519PublicKey(publicKey: string): KeyObject | undefined {
  if (!publicKey.startsWith(ED25519_PUBLIC_KEY_PREFIX)) return undefined;
  const raw = Buffer.from(publicKey.slice(ED25519_PUBLIC_KEY_PREFIX.length), 'base64');
  if (raw.length !== 32) return undefined;
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}
