import { ConfigError, type Reader } from '../config/env.js';

/**
 * The id of the key that sealed secrets before key rings existed (HOOKSTREAM_SECRET_KEY): its
 * ciphertexts are in the `v1` format, which names no key, and it still writes that format while
 * it is the sealing key, so a process configured with the single key reads what it writes.
 */
export const LEGACY_KEY_ID = 'v1';

const ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_KEYS = 16;
const KEY_RULE = 'must be 32 random bytes, base64-encoded (for example: openssl rand -base64 32)';

/** Throws a rule (for configuration errors) when the value is not a usable key. */
export function validateSecretKey(raw: string): void {
  if (!BASE64.test(raw) || Buffer.from(raw, 'base64').length !== 32) throw KEY_RULE;
}

/**
 * The AES-256 keys secrets are sealed with: the first seals, every one opens. Parsed from
 * `id:base64key,id:base64key,...`. The keys live in a private field, so printing, logging or
 * serialising a ring shows its ids only.
 */
export class SecretKeyRing {
  readonly #keys: Map<string, Buffer>;
  readonly ids: readonly string[];

  private constructor(entries: [string, Buffer][]) {
    this.#keys = new Map(entries);
    this.ids = Object.freeze(entries.map(([id]) => id));
  }

  /** Throws a rule naming the entry at fault (by position and id, never by key). */
  static parse(text: string): SecretKeyRing {
    const entries: [string, Buffer][] = [];
    const parts = text.split(',');
    if (parts.length > MAX_KEYS) throw `must hold at most ${MAX_KEYS} keys (it has ${parts.length})`;
    parts.forEach((part, i) => {
      const n = i + 1;
      const colon = part.indexOf(':');
      const id = colon < 0 ? '' : part.slice(0, colon).trim();
      if (!ID.test(id)) {
        throw `entry ${n} must be id:key, the id 1-32 letters, digits, "_" or "-" (for example: 2026-12:$(openssl rand -base64 32)); the first key seals, every key opens`;
      }
      const raw = part.slice(colon + 1).trim();
      try {
        validateSecretKey(raw);
      } catch (rule) {
        throw `entry ${n} (id ${id}): the key ${String(rule)}`;
      }
      const key = Buffer.from(raw, 'base64');
      const same = entries.find(([otherId, other]) => otherId === id || other.equals(key));
      if (same?.[0] === id) throw `entry ${n} repeats the id ${id}`;
      if (same) throw `entry ${n} (id ${id}) holds the same key as id ${same[0]}`;
      entries.push([id, key]);
    });
    return new SecretKeyRing(entries);
  }

  /** The former single key: a ring of one, with the id of the `v1` format. */
  static single(keyBase64: string): SecretKeyRing {
    validateSecretKey(keyBase64);
    return new SecretKeyRing([[LEGACY_KEY_ID, Buffer.from(keyBase64, 'base64')]]);
  }

  get sealingId(): string {
    return this.ids[0]!;
  }

  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  toJSON(): { ids: readonly string[] } {
    return { ids: this.ids };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SecretKeyRing { ids: [${this.ids.join(', ')}] }`;
  }
}

const SINGLE = 'HOOKSTREAM_SECRET_KEY';

/**
 * The ring from HOOKSTREAM_SECRET_KEYS, or HOOKSTREAM_SECRET_KEY as the one-key ring `v1`.
 * Use it under the name HOOKSTREAM_SECRET_KEYS in a config spec.
 */
export const secretKeyRingConfig: Reader<SecretKeyRing> = {
  secret: true,
  parse(raw, source) {
    const single = source?.[SINGLE] === '' ? undefined : source?.[SINGLE];
    if (raw !== undefined && single !== undefined) {
      throw `and ${SINGLE} are both set: set one, not both (the single key is the ring entry v1:<key>)`;
    }
    if (raw !== undefined) return SecretKeyRing.parse(raw);
    if (single === undefined) {
      throw new ConfigError(
        SINGLE,
        `is required: 32 random bytes, base64-encoded (for example: openssl rand -base64 32), or a key ring in HOOKSTREAM_SECRET_KEYS; it encrypts webhook and tenant secrets at rest`,
        undefined,
      );
    }
    try {
      return SecretKeyRing.single(single);
    } catch (rule) {
      throw new ConfigError(SINGLE, String(rule), '<redacted>');
    }
  },
};
