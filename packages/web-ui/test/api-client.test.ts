import { ApiClient, ApiError, describeError, type FetchLike } from '../src/ui/lib/api.js';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records each call and answers `status` with `body`. */
function recorder(status = 200, body: unknown = {}): { calls: Call[]; fetch: FetchLike } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    },
  };
}

const headersOf = (c: Call) => c.init.headers as Record<string, string>;

describe('ApiClient', () => {
  it('sends the CSRF token on every state-changing method, never on GET, and always same-origin credentials', async () => {
    const r = recorder();
    const api = new ApiClient(r.fetch);
    api.setCsrfToken('csrf-123');
    await api.get('/v1/webhooks');
    await api.post('/v1/webhooks', { endpoint: 'https://x.example' });
    await api.put('/v1/webhooks/1', { enabled: false });
    await api.delete('/v1/webhooks/1');
    expect(r.calls.map((c) => [c.init.method, headersOf(c)['x-csrf-token']])).toEqual([
      ['GET', undefined],
      ['POST', 'csrf-123'],
      ['PUT', 'csrf-123'],
      ['DELETE', 'csrf-123'],
    ]);
    for (const c of r.calls) expect(c.init.credentials).toBe('same-origin');
    expect(headersOf(r.calls[1]!)['content-type']).toBe('application/json');
    expect(r.calls[1]!.init.body).toBe('{"endpoint":"https://x.example"}');
  });

  it('sends no CSRF header before a session gave one, nor after it was cleared', async () => {
    const r = recorder();
    const api = new ApiClient(r.fetch);
    await api.post('/v1/sessions/exchange', { token: 't' });
    api.setCsrfToken('c');
    api.setCsrfToken(undefined);
    await api.delete('/v1/sessions/current');
    for (const c of r.calls) expect(headersOf(c)).not.toHaveProperty('x-csrf-token');
  });

  it('builds query strings, leaving out empty values', async () => {
    const r = recorder(200, { list: [] });
    const api = new ApiClient(r.fetch);
    await api.get('/v1/webhooks/w/deliveries', { status: 'retrying', event_type: '', since: undefined, count: 25 });
    expect(r.calls[0]!.url).toBe('/v1/webhooks/w/deliveries?status=retrying&count=25');
  });

  it('turns an error body into an ApiError with the status, the message and each JSON path at fault', async () => {
    const r = recorder(400, { error: 'invalid webhook', details: [{ path: '/endpoint', message: 'must be an https URL', rule: 'format' }] });
    const api = new ApiClient(r.fetch);
    const err = await api.post('/v1/webhooks', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, error: 'invalid webhook', details: [{ path: '/endpoint', message: 'must be an https URL' }] });
    expect(describeError(err)).toEqual({ title: 'Invalid request (400): invalid webhook', lines: ['/endpoint: must be an https URL'] });
  });

  it('reads a code-and-message error body, and a body that is not JSON', async () => {
    const coded = await new ApiClient(recorder(401, { error: 'session_token_invalid', message: 'the token was already used' }).fetch)
      .post('/v1/sessions/exchange', { token: 'x' }, { expect401: true })
      .catch((e: unknown) => e);
    expect(describeError(coded).title).toBe('Not signed in (401): session_token_invalid: the token was already used');
    const html = await new ApiClient(async () => new Response('<html>bad gateway</html>', { status: 502 })).get('/v1/webhooks').catch((e: unknown) => e);
    expect(describeError(html).title).toBe('Server error (502): HTTP 502');
  });

  it('reports a 401 as the end of the session, except on calls that expect one', async () => {
    const api = new ApiClient(recorder(401, { error: 'unauthorized' }).fetch);
    let ended = 0;
    api.onUnauthorized = () => ended++;
    await api.get('/v1/webhooks').catch(() => undefined);
    await api.request('GET', '/v1/sessions/current', undefined, { expect401: true }).catch(() => undefined);
    expect(ended).toBe(1);
  });

  it('answers undefined for a 204 and explains an unreachable gateway', async () => {
    expect(await new ApiClient(recorder(204).fetch).delete('/v1/webhooks/1')).toBeUndefined();
    const down = await new ApiClient(async () => {
      throw new TypeError('fetch failed');
    })
      .get('/v1/webhooks')
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ status: 0 });
    expect(describeError(down).title).toMatch(/could not be reached/);
  });
});
