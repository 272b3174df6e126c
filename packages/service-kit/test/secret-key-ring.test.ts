import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { type ConfigError, readConfig, SecretBox, SecretKeyRing, secretKeyRingConfig } from '../src/index.js';

const key = () => randomBytes(32).toString('base64');

describe('secret key ring (issue #16.8)', () => {
  const [a, b] = [key(), key()];

  it('seals with the first key of the ring, under its id, and opens with any key', () => {
    const oldBox = new SecretBox(SecretKeyRing.parse(`a:${a}`));
    const underA = oldBox.seal('secret-one', 'ctx');
    expect(underA.startsWith('v2.a.')).toBe(true);

    const box = new SecretBox(SecretKeyRing.parse(`b:${b}, a:${a}`));
    const underB = box.seal('secret-two', 'ctx');
    expect(underB.split('.')).toHaveLength(5);
    expect(box.keyIdOf(underB)).toBe('b');
    expect(box.isUnderSealingKey(underB)).toBe(true);
    expect(box.isUnderSealingKey(underA)).toBe(false);
    expect(box.open(underA, 'ctx')).toBe('secret-one');
    expect(box.open(underB, 'ctx')).toBe('secret-two');
    // The id is authenticated too: the same key under another name does not open it.
    expect(() => new SecretBox(SecretKeyRing.parse(`c:${b}`)).open(underB.replace('v2.b.', 'v2.c.'), 'ctx')).toThrow();
  });

  it('opens the former single-key format (v1) with the ring entry v1, the key HOOKSTREAM_SECRET_KEY was', () => {
    const legacy = new SecretBox(a);
    const sealed = legacy.seal('old-secret', 'ctx');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(legacy.keyIdOf(sealed)).toBe('v1');
    const ring = new SecretBox(SecretKeyRing.parse(`b:${b},v1:${a}`));
    expect(ring.open(sealed, 'ctx')).toBe('old-secret');
    expect(ring.isUnderSealingKey(sealed)).toBe(false);
    // A ring whose sealing key is v1 still writes the v1 format, so a process still configured
    // with HOOKSTREAM_SECRET_KEY alone reads what it writes.
    expect(new SecretBox(SecretKeyRing.parse(`v1:${a},b:${b}`)).seal('x', 'ctx').startsWith('v1.')).toBe(true);
    expect(() => new SecretBox(SecretKeyRing.parse(`b:${b}`)).open(sealed, 'ctx')).toThrow(/v1 format.*no key with id v1/);
  });

  it('refuses a ciphertext under a key id the ring does not hold, naming the id', () => {
    const sealed = new SecretBox(SecretKeyRing.parse(`gone:${a}`)).seal('value', 'ctx');
    expect(() => new SecretBox(SecretKeyRing.parse(`b:${b}`)).open(sealed, 'ctx')).toThrow('sealed under key id "gone", which is not in the key ring');
  });

  it('refuses malformed ciphertexts without echoing them', () => {
    const box = new SecretBox(SecretKeyRing.parse(`b:${b}`));
    for (const bad of ['', 'v3.b.x.y.z', 'v2.b.onlythree', 'v2.b!.a.b.c', 'v2.b.a.b.c.d']) {
      expect(() => box.open(bad, 'ctx')).toThrow(/^unknown secret format|^malformed sealed secret/);
    }
  });

  it('refuses a truncated tag and a short IV under the ring format', () => {
    const box = new SecretBox(SecretKeyRing.parse(`b:${b}`));
    const parts = box.seal('value', 'ctx').split('.');
    const short = [...parts];
    short[3] = Buffer.from(parts[3]!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open(short.join('.'), 'ctx')).toThrow('16-byte');
    const shortIv = [...parts];
    shortIv[2] = Buffer.from(parts[2]!, 'base64url').subarray(0, 8).toString('base64url');
    expect(() => box.open(shortIv.join('.'), 'ctx')).toThrow('12-byte');
  });

  it.each([
    ['an entry without an id', `${a}`, /entry 1 must be id:key/],
    ['a bad id', `b c:${a}`, /entry 1 must be id:key/],
    ['a short key', `a:${randomBytes(16).toString('base64')}`, /entry 1 \(id a\): the key must be 32 random bytes/],
    ['a repeated id', `a:${a},a:${b}`, /entry 2 repeats the id a/],
    ['a repeated key', `a:${a},b:${a}`, /entry 2 \(id b\) holds the same key as id a/],
    ['an empty entry', `a:${a},,b:${b}`, /entry 2 must be id:key/],
  ])('refuses %s with a rule that never shows a key', (_what, text, rule) => {
    let error: unknown;
    try {
      SecretKeyRing.parse(text);
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(rule);
    expect(String(error)).not.toContain(a.slice(0, 12));
    expect(String(error)).not.toContain(b.slice(0, 12));
  });

  it('never shows its keys when printed, logged or serialised', () => {
    const ring = SecretKeyRing.parse(`b:${b},a:${a}`);
    expect(ring.ids).toEqual(['b', 'a']);
    expect(JSON.stringify({ ring })).toBe('{"ring":{"ids":["b","a"]}}');
    expect(inspect(ring, { showHidden: true, depth: 5 })).not.toContain(b.slice(0, 12));
  });

  describe('configuration', () => {
    const spec = { HOOKSTREAM_SECRET_KEYS: secretKeyRingConfig };
    const read = (vars: Record<string, string>) => readConfig(spec, vars).HOOKSTREAM_SECRET_KEYS;
    const failure = (vars: Record<string, string>) => {
      try {
        read(vars);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a configuration error');
    };

    it('reads HOOKSTREAM_SECRET_KEYS, or HOOKSTREAM_SECRET_KEY as the one-key ring v1', () => {
      expect(read({ HOOKSTREAM_SECRET_KEYS: `b:${b},v1:${a}` }).ids).toEqual(['b', 'v1']);
      expect(read({ HOOKSTREAM_SECRET_KEY: a }).ids).toEqual(['v1']);
    });

    it('stops with a line naming the variable at fault and never the key', () => {
      const both = failure({ HOOKSTREAM_SECRET_KEYS: `b:${b}`, HOOKSTREAM_SECRET_KEY: a });
      expect(both.variable).toBe('HOOKSTREAM_SECRET_KEYS');
      expect(both.message).toContain('not both');
      const none = failure({});
      expect(none.message).toMatch(/^HOOKSTREAM_SECRET_KEY is required: 32 random bytes, base64-encoded/);
      expect(none.message).toContain('HOOKSTREAM_SECRET_KEYS');
      const broken = failure({ HOOKSTREAM_SECRET_KEYS: `b:${b},a:short` });
      expect(broken.variable).toBe('HOOKSTREAM_SECRET_KEYS');
      expect(broken.message).toMatch(/entry 2 \(id a\): the key must be 32 random bytes/);
      expect(broken.message).not.toContain(b.slice(0, 12));
      expect(broken.message).not.toContain('short');
      const legacy = failure({ HOOKSTREAM_SECRET_KEY: 'c2hvcnQta2V5LXZhbHVl' });
      expect(legacy.message).toBe('HOOKSTREAM_SECRET_KEY must be 32 random bytes, base64-encoded (for example: openssl rand -base64 32) (got "<redacted>")');
    });
  });
});
