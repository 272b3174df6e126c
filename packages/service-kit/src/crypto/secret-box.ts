import { createCipheriv, createDecipheriv, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LEGACY_KEY_ID, SecretKeyRing, validateSecretKey } from './secret-key-ring.js';

const IV_BYTES = 12;
// GCM verifies a tag of any length from 4 bytes up; a shorter tag is easier to forge, so only the full one is accepted.
const TAG_BYTES = 16;
const PART = /^[A-Za-z0-9_-]*$/;
const ID = /^[A-Za-z0-9_-]{1,32}$/;

interface Sealed {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
  /** What is authenticated besides the context: the key id of the `v2` format. */
  header: string;
}

/**
 * AES-256-GCM encryption for secrets at rest, under a key ring: the ring's first key seals,
 * every key opens. The stored form is `v2.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts);
 * `v1.<iv>.<tag>.<ciphertext>`, which names no key, is the former single key's (ring id `v1`).
 */
export class SecretBox {
  private readonly ring: SecretKeyRing;

  /** A ring, or one base64 key (the former HOOKSTREAM_SECRET_KEY: the ring `v1`). */
  constructor(ring: SecretKeyRing | string) {
    if (typeof ring === 'string') {
      try {
        ring = SecretKeyRing.single(ring);
      } catch {
        throw new Error('the secret key must be 32 bytes, base64-encoded');
      }
    }
    this.ring = ring;
  }

  /** Throws a rule (for configuration errors) when the value is not a usable key. */
  static validateKey(raw: string): void {
    validateSecretKey(raw);
  }

  /** The id of the key that seals. */
  get sealingKeyId(): string {
    return this.ring.sealingId;
  }

  /** How every ciphertext sealed by this box starts: rows that do not are under an older key. */
  get sealedPrefix(): string {
    return this.ring.sealingId === LEGACY_KEY_ID ? 'v1.' : `v2.${this.ring.sealingId}.`;
  }

  seal(plaintext: string, context = ''): string {
    const keyId = this.ring.sealingId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.ring.key(keyId)!, iv, { authTagLength: TAG_BYTES });
    // The context (tenant and field) is authenticated, so a ciphertext copied to another row does not decrypt.
    cipher.setAAD(aad(keyId === LEGACY_KEY_ID ? '' : keyId, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return (keyId === LEGACY_KEY_ID ? ['v1', ...parts] : ['v2', keyId, ...parts]).join('.');
  }

  open(sealed: string, context = ''): string {
    const s = parse(sealed);
    const key = this.ring.key(s.keyId);
    if (!key) {
      throw new Error(
        s.keyId === LEGACY_KEY_ID
          ? 'sealed in the v1 format by the former single key (HOOKSTREAM_SECRET_KEY); the key ring has no key with id v1'
          : `sealed under key id "${s.keyId}", which is not in the key ring`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, s.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(s.header, context));
    decipher.setAuthTag(s.tag);
    return Buffer.concat([decipher.update(s.body), decipher.final()]).toString('utf8');
  }

  /** The id of the key a ciphertext is under (`v1` for the former single key's); undefined when malformed. */
  keyIdOf(sealed: string): string | undefined {
    try {
      return parse(sealed).keyId;
    } catch {
      return undefined;
    }
  }

  isUnderSealingKey(sealed: string): boolean {
    return sealed.startsWith(this.sealedPrefix);
  }
}

// The v2 key id is authenticated with the context, so renaming a key in a ciphertext does not open it with another key.
// v1 authenticated the context alone, and still does.
function aad(keyId: string, context: string): Buffer {
  return Buffer.from(keyId ? `${keyId}\u0000${context}` : context);
}

function parse(sealed: string): Sealed {
  const parts = sealed.split('.');
  let keyId: string;
  let rest: string[];
  if (parts[0] === 'v1' && parts.length === 4) {
    keyId = LEGACY_KEY_ID;
    rest = parts.slice(1);
  } else if (parts[0] === 'v2' && parts.length === 5) {
    keyId = parts[1]!;
    if (!ID.test(keyId)) throw new Error('malformed sealed secret: bad key id');
    rest = parts.slice(2);
  } else {
    throw new Error('unknown secret format');
  }
  if (!rest.every((p) => PART.test(p))) throw new Error('malformed sealed secret: not base64url');
  const [iv, tag, body] = rest.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES) throw new Error(`malformed sealed secret: the IV must be ${IV_BYTES} bytes (a 12-byte GCM nonce)`);
  if (tag.length !== TAG_BYTES) throw new Error(`malformed sealed secret: the authentication tag must be ${TAG_BYTES} bytes (a 16-byte GCM tag)`);
  return { keyId, iv, tag, body, header: parts[0] === 'v2' ? keyId : '' };
}

/**
 * SHA-256 of an API key or token, for storage and constant-time comparison. Node's one-shot
 * `hash` (no Hash object per call): every API request hashes its key to find it in the cache.
 */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export function sameToken(a: string, b: string): boolean {
  const ha = Buffer.from(hashToken(a), 'hex');
  const hb = Buffer.from(hashToken(b), 'hex');
  return timingSafeEqual(ha, hb);
}
