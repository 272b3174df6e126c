import { API_KEY_PATTERN, apiKeyRecord, bearerToken, generateApiKey } from '../../src/auth/api-keys.js';

describe('API keys', () => {
  it('look like hs_ + 43 base64url characters and are stored as hash and hint', () => {
    const key = generateApiKey();
    expect(key).toMatch(API_KEY_PATTERN);
    expect(generateApiKey()).not.toBe(key);
    const record = apiKeyRecord(key);
    expect(record.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.api_key_hint).toBe(`hs_...${key.slice(-4)}`);
    expect(JSON.stringify(record)).not.toContain(key.slice(3, 20));
  });

  it('reads bearer tokens', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
