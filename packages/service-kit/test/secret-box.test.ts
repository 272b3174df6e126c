import { createHash, randomBytes } from 'node:crypto';
import { SecretBox, hashToken, sameToken } from '../src/index.js';

describe('SecretBox (AES-256-GCM at rest)', () => {
  const box = new SecretBox(randomBytes(32).toString('base64'));

  it('round-trips a secret and never stores the plaintext', () => {
    const sealed = box.seal('s3cr3t-token', 'tenant-1/webhook-2');
    expect(sealed).not.toContain('s3cr3t');
    expect(box.open(sealed, 'tenant-1/webhook-2')).toBe('s3cr3t-token');
  });

  it('refuses a ciphertext moved to another context or tampered with', () => {
    const sealed = box.seal('value', 'a');
    expect(() => box.open(sealed, 'b')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => box.open(parts.join('.'), 'a')).toThrow();
  });

  it('refuses a key of the wrong size', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow('32 bytes');
    expect(() => SecretBox.validateKey('short')).toThrow();
  });

  it('hashes tokens deterministically and compares them in constant time', () => {
    // The SHA-256 test vector: stored key hashes must not change with how they are computed.
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('hs_é')).toBe(createHash('sha256').update('hs_é', 'utf8').digest('hex'));
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
  });
});

describe('GCM tag length (issue #16.8)', () => {
  it('refuses a truncated 4-byte tag: GCM tags are 16 bytes', () => {
    const box = new SecretBox(randomBytes(32).toString('base64'));
    const parts = box.seal('value', 'ctx').split('.');
    const tagAt = parts.length - 2;
    parts[tagAt] = Buffer.from(parts[tagAt]!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open(parts.join('.'), 'ctx')).toThrow();
  });
});
