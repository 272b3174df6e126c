import { fixtures, normalizeWebhookRequest, type WebhookSpec } from '@hookstream/schemas';
import { API_KEY_PATTERN, apiKeyRecord, bearerToken, generateApiKey } from '../src/auth/api-keys.js';
import { locateJsonError, parseJsonText } from '../src/http/json-error.js';
import { pagedList, parseFields, parseFilters, parsePage, pickFields } from '../src/http/pagination.js';
import { RateLimiter } from '../src/http/rate-limit.js';
import { sharesFrom } from '../src/http/rate-share.js';
import { intakeEvent } from '../src/ingest/event-intake.js';
import { webhookFingerprint } from '../src/webhooks/fingerprint.js';
import { endpointUrlProblem, privateHostReason } from '../src/webhooks/url-policy.js';

const spec = (body: unknown): WebhookSpec => {
  const r = normalizeWebhookRequest(body);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};

describe('endpoint URL policy', () => {
  const strict = { allowPrivate: false };
  it.each(['https://hooks.partner.example/x', 'https://93.184.216.34/hook', 'https://[2606:4700::1111]/hook', 'https://partner.example:8443/x?y=1'])(
    'allows %s',
    (url) => expect(endpointUrlProblem(url, strict)).toBeUndefined(),
  );

  it.each([
    ['http://hooks.partner.example/x', /https/],
    ['ftp://partner.example/x', /https/],
    ['https://user:pw@partner.example/x', /credentials/],
    ['https://127.0.0.1/x', /loopback/],
    ['https://127.1.2.3/x', /loopback/],
    ['https://localhost/x', /local host name/],
    ['https://api.localhost/x', /local host name/],
    ['https://intranet/x', /local host name/],
    ['https://10.0.0.1/x', /private/],
    ['https://172.16.5.4/x', /private/],
    ['https://192.168.1.1/x', /private/],
    ['https://100.64.0.1/x', /shared/],
    ['https://169.254.10.10/x', /link-local/],
    ['https://169.254.169.254/latest', /metadata/],
    ['https://metadata.google.internal/computeMetadata', /metadata/],
    ['https://0.0.0.0/x', /unspecified/],
    ['https://2130706433/x', /loopback/], // the URL parser normalises the integer form to 127.0.0.1
    ['https://[::1]/x', /loopback/],
    ['https://[::ffff:127.0.0.1]/x', /loopback/],
    ['https://[::ffff:a9fe:a9fe]/x', /metadata/],
    ['https://[fe80::1]/x', /link-local/],
    ['https://[fd12:3456::1]/x', /unique local/],
    ['not a url', /absolute URL/],
  ])('refuses %s', (url, reason) => expect(endpointUrlProblem(url, strict)).toMatch(reason));

  it('allows http and private addresses when HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS is on, but never credentials or other schemes', () => {
    const dev = { allowPrivate: true };
    expect(endpointUrlProblem('http://127.0.0.1:3000/hook', dev)).toBeUndefined();
    expect(endpointUrlProblem('http://your.service.com/webhooks', dev)).toBeUndefined();
    expect(endpointUrlProblem('file:///etc/passwd', dev)).toMatch(/https/);
    expect(endpointUrlProblem('http://u:p@127.0.0.1/', dev)).toMatch(/credentials/);
  });

  it('classifies host names and addresses', () => {
    expect(privateHostReason('hooks.example.com')).toBeUndefined();
    expect(privateHostReason('printer.local')).toMatch(/local/);
    expect(privateHostReason('224.0.0.1')).toMatch(/multicast/);
  });
});

describe('webhook fingerprint', () => {
  it('is the same for the same subscription whatever the order of events or the options', () => {
    const a = spec({ callback: 'https://x.example/hook', events: 'user_account,user_session' });
    const b = spec({ callback: 'https://X.EXAMPLE:443/hook', events: ['user_session', 'user_account'], timeout_ms: 5000, enabled: false });
    expect(webhookFingerprint(a)).toBe(webhookFingerprint(b));
    expect(webhookFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('treats notification type aliases as the canonical type', () => {
    const base = fixtures.webhookRequests.notificationJwt;
    const canonical = { ...base, registered_events: { email: ['user-mentioned', 'replied-message', 'liked-message'], 'in-app': [] } };
    expect(webhookFingerprint(spec(base))).toBe(webhookFingerprint(spec(canonical)));
    // The auth configuration is not part of the identity.
    expect(webhookFingerprint(spec(base))).toBe(
      webhookFingerprint(spec({ ...fixtures.webhookRequests.notificationToken, registered_events: canonical.registered_events })),
    );
  });

  it('differs when the endpoint, object, events, channels or spot differ', () => {
    const base = { callback: 'https://x.example/hook', object: 'https://sample.jiveon.com/api/core/v3/places/1' };
    const prints = new Set([
      webhookFingerprint(spec(base)),
      webhookFingerprint(spec({ ...base, callback: 'https://x.example/other' })),
      webhookFingerprint(spec({ ...base, object: 'https://sample.jiveon.com/api/core/v3/places/2' })),
      webhookFingerprint(spec({ ...base, events: 'document' })),
      webhookFingerprint(spec({ endpoint: 'https://x.example/hook', registered_events: { email: ['user-followed'] } })),
      webhookFingerprint(spec({ endpoint: 'https://x.example/hook', registered_events: { 'in-app': ['user-followed'] } })),
      webhookFingerprint(spec({ endpoint: 'https://x.example/hook', spot_id: 'sp_1', registered_events: { 'in-app': ['user-followed'] } })),
    ]);
    expect(prints.size).toBe(7);
  });
});

describe('pagination, filters and fields', () => {
  it('parses startIndex and count with defaults and bounds', () => {
    expect(parsePage({})).toEqual({ startIndex: 0, count: 25 });
    expect(parsePage({ startIndex: '10', count: '5' })).toEqual({ startIndex: 10, count: 5 });
    const errors: never[] = [];
    parsePage({ startIndex: '-1', count: '101' }, errors);
    expect(errors.map((e: { path: string }) => e.path)).toEqual(['/query/startIndex', '/query/count']);
  });

  it('parses object(URI) filters, several values and repeated filters', () => {
    expect(parseFilters({ filter: 'object(https://a.example/places/1)' }, ['object'])).toEqual({ object: ['https://a.example/places/1'] });
    expect(parseFilters({ filter: ['object(https://a/1,https://a/2)', 'object(https://a/3)'] }, ['object'])).toEqual({
      object: ['https://a/1', 'https://a/2', 'https://a/3'],
    });
    const errors: { message: string }[] = [];
    parseFilters({ filter: ['owner(me)', 'object', 'object()'] }, ['object'], errors as never[]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/unknown filter 'owner'/),
      expect.stringMatching(/name\(value\)/),
      expect.stringMatching(/at least one value/),
    ]);
  });

  it('narrows items to the named fields plus id', () => {
    const fields = parseFields({ fields: 'object, enabled' }, ['id', 'object', 'enabled']);
    expect(pickFields({ id: '1', object: 'o', enabled: true, kind: 'content' }, fields)).toEqual({ id: '1', object: 'o', enabled: true });
    const errors: { message: string }[] = [];
    expect(parseFields({ fields: 'secret' }, ['id'], errors as never[])).toBeUndefined();
    expect(errors[0]!.message).toMatch(/unknown field\(s\) secret/);
  });

  it('builds links.next only when there is one more item, links.previous only after the first page, keeping other parameters', () => {
    const page = pagedList([1, 2, 3], { startIndex: 2, count: 2 }, 'https://gw.example/v1/webhooks', {
      filter: 'object(https://a/1)',
      startIndex: '2',
      count: '2',
    });
    expect(page.list).toEqual([1, 2]);
    expect(page.itemsPerPage).toBe(2);
    expect(new URL(page.links.next!).searchParams.get('startIndex')).toBe('4');
    expect(new URL(page.links.next!).searchParams.get('filter')).toBe('object(https://a/1)');
    expect(new URL(page.links.previous!).searchParams.get('startIndex')).toBe('0');
    expect(pagedList([1], { startIndex: 0, count: 2 }, 'https://gw.example/x', {}).links).toEqual({});
  });
});

describe('JSON syntax errors', () => {
  it.each([
    ['{"a":1,}', 7, 'expected a double-quoted property name'],
    ['{"a": x}', 6, 'unexpected character "x"'],
    ['[1,2', 4, 'unexpected end of input'],
    ['{"a": 1} x', 9, 'unexpected data after the JSON value'],
    ['{"a": "b\nc"}', 8, 'control character in string (must be escaped)'],
    ['{"a" 1}', 5, "expected ':' after property name"],
    ['[01]', 2, "expected ',' or ']' after array element"],
    ['"\\x"', 1, 'invalid escape in string'],
  ])('locates the error in %j at %i', (text, position, reason) => {
    expect(locateJsonError(text)).toMatchObject({ position, reason });
  });

  it('gives line and column, and never quotes the input', () => {
    expect(locateJsonError('{\n  "token": secret-123\n}')).toEqual({ position: 13, line: 2, column: 12, reason: 'unexpected character "s"' });
    expect(() => parseJsonText('{"token": secret-123}')).toThrow('malformed JSON at position 10 (line 1, column 11): unexpected character "s"');
    expect(locateJsonError('{"a": [1, {"b": null}], "c": "\\u00e9"}')).toBeUndefined();
  });
});

describe('rate limiter (token bucket per tenant)', () => {
  it('allows the burst, then refuses with the seconds until the next token, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3].map(() => limiter.take('t').ok)).toEqual([true, true, true]);
    expect(limiter.take('t')).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take('other').ok).toBe(true);
    now += 500;
    expect(limiter.take('t').ok).toBe(true);
    expect(limiter.take('t').ok).toBe(false);
    now += 10_000;
    limiter.sweep();
    expect([1, 2, 3, 4].map(() => limiter.take('t').ok)).toEqual([true, true, true, false]);
  });

  it('rounds Retry-After up for slow rates', () => {
    const now = 0;
    const limiter = new RateLimiter(0.1, 1, () => now);
    limiter.take('t');
    expect(limiter.take('t')).toEqual({ ok: false, retryAfterS: 10 });
  });

  it('grants only its part of rate and burst when the limit is split between instances, and counts every request', () => {
    let now = 0;
    const noted: string[] = [];
    const parts: Record<string, number> = { t: 0.25 };
    const limiter = new RateLimiter(8, 8, () => now, { note: (k) => noted.push(k), share: (k) => parts[k] ?? 1 });
    // A quarter of a burst of 8: two at once, then one token every 0.5 s (a quarter of 8/s).
    expect([1, 2, 3].map(() => limiter.take('t').ok)).toEqual([true, true, false]);
    now += 500;
    expect([1, 2].map(() => limiter.take('t').ok)).toEqual([true, false]);
    // The split follows the traffic: back to the whole limit when this instance gets it all.
    parts.t = 1;
    now += 1000;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].filter(() => limiter.take('t').ok)).toHaveLength(8);
    expect(noted.filter((k) => k === 't')).toHaveLength(3 + 2 + 9);
  });
});

describe('tenant rate limit split between gateways', () => {
  it('gives each instance the part of the limit its own traffic is of the reported total', () => {
    const shares = sharesFrom(
      new Map([
        ['a', 30],
        ['b', 10],
        ['c', 0],
        ['d', 5],
      ]),
      new Map([
        ['a', 120],
        ['b', 10],
        ['c', 40],
        ['d', 2],
      ]),
    );
    // 'a': a quarter of all traffic; 'b': only here; 'c': none here (no split); 'd': totals lag behind.
    expect(Object.fromEntries(shares)).toEqual({ a: 0.25, b: 1, d: 1 });
  });
});

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

describe('event intake', () => {
  const tenant = '5b7a4c1e-0000-4000-8000-000000000001';
  const event = () => {
    const { tenantid: _t, ...e } = fixtures.envelope('replied-message') as Record<string, unknown>;
    return e;
  };

  it('completes id, time and tenantid and keys on tenant and subject', () => {
    const { id: _id, time: _time, ...e } = event();
    const r = intakeEvent({ ...e, subject: 'conv-1' }, tenant, 262_144, new Date('2026-01-01T00:00:00Z'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.event.time).toBe('2026-01-01T00:00:00.000Z');
    expect(r.event.tenantid).toBe(tenant);
    expect(r.key).toBe(`${tenant}:conv-1`);
  });

  it('refuses data over the limit with 413 and names the size', () => {
    const e = event();
    (e.data as Record<string, unknown>).padding = 'x'.repeat(2000);
    const r = intakeEvent(e, tenant, 1024);
    expect(r).toMatchObject({ ok: false, status: 413, reason: 'too_large', error: expect.stringMatching(/limit is 1024 bytes/) });
  });

  it('does not modify its input', () => {
    const e = event();
    const copy = structuredClone(e);
    intakeEvent(e, tenant, 262_144);
    expect(e).toEqual(copy);
  });
});
