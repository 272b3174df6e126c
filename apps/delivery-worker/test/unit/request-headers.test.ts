import { redactedHeaders, REDACTED } from '../../src/http/request-headers.js';

describe('the request headers the delivery history shows', () => {
  it('are the headers themselves, not a copy, when nothing in them is a credential', () => {
    const headers = { 'content-type': 'application/json', 'webhook-id': 'd1', 'webhook-signature': 'v1,abc', 'user-agent': 'hookstream' };
    expect(redactedHeaders(headers, ['authorization'])).toBe(headers);
  });

  it('redact the given credential names (any case) and every name that looks like one, in a copy', () => {
    const headers = { 'content-type': 'application/json', authorization: 'Bearer t', 'X-Partner-Key': 'k', 'x-api-key': 's' };
    const shown = redactedHeaders(headers, ['authorization', 'x-partner-key']);
    expect(shown).toEqual({ 'content-type': 'application/json', authorization: REDACTED, 'x-partner-key': REDACTED, 'x-api-key': REDACTED });
    expect(headers.authorization).toBe('Bearer t');
  });

  it('lower-case names in a copy even when nothing is redacted', () => {
    const headers = { 'Content-Type': 'application/json' };
    const shown = redactedHeaders(headers);
    expect(shown).toEqual({ 'content-type': 'application/json' });
    expect(shown).not.toBe(headers);
  });

  it('redact a credential name given in upper case', () => {
    expect(redactedHeaders({ 'x-partner': 'v' }, ['X-Partner'])).toEqual({ 'x-partner': REDACTED });
  });
});
