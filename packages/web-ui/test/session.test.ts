import { ApiClient, type FetchLike } from '../src/ui/lib/api.js';
import { SessionLinkRefused, startSession, tokenFromHash } from '../src/ui/lib/session.js';

const SESSION = { kind: 'portal', tenant_id: 't1', partner: 'acme', read_only: false, expires_at: '2026-12-05T23:00:00Z', csrf_token: 'csrf-1' };

function place(hash: string) {
  const replaced: string[] = [];
  return {
    replaced,
    place: {
      location: { hash, pathname: '/portal/', search: '' },
      history: { replaceState: (_s: unknown, _t: string, url?: string | URL | null) => replaced.push(String(url)) },
    },
  };
}

describe('session start', () => {
  it('reads the token from the fragment only', () => {
    expect(tokenFromHash('#token=eyJ.abc.def')).toBe('eyJ.abc.def');
    expect(tokenFromHash('#other=1&token=t2')).toBe('t2');
    expect(tokenFromHash('')).toBeUndefined();
    expect(tokenFromHash('#token=')).toBeUndefined();
  });

  it('exchanges the fragment token once, removes the fragment before calling, and keeps the CSRF token for later calls', async () => {
    const calls: { url: string; body: unknown; headers: Record<string, string>; fragmentGone: boolean }[] = [];
    const p = place('#token=tok-1');
    const fetch: FetchLike = async (url, init) => {
      calls.push({
        url,
        body: init.body && JSON.parse(String(init.body)),
        headers: init.headers as Record<string, string>,
        fragmentGone: p.replaced.length > 0,
      });
      return new Response(JSON.stringify(SESSION), { status: 200 });
    };
    const api = new ApiClient(fetch);
    const session = await startSession(api, p.place);
    expect(session).toEqual(SESSION);
    expect(p.replaced).toEqual(['/portal/']);
    expect(calls[0]).toMatchObject({ url: '/v1/sessions/exchange', body: { token: 'tok-1' }, fragmentGone: true });
    await api.post('/v1/webhooks', {});
    expect(calls[1]!.headers['x-csrf-token']).toBe('csrf-1');
  });

  it('without a token asks for the current session; a 401 there means no session, not an error', async () => {
    const urls: string[] = [];
    const api = new ApiClient(async (url) => {
      urls.push(url);
      return new Response(JSON.stringify({ error: 'unauthorized' }), { status: 401 });
    });
    let ended = false;
    api.onUnauthorized = () => (ended = true);
    expect(await startSession(api, place('').place)).toBeNull();
    expect(urls).toEqual(['/v1/sessions/current']);
    expect(ended).toBe(false);
  });

  it('a refused token (expired, reused) is reported as a refused link', async () => {
    const api = new ApiClient(async () => new Response(JSON.stringify({ error: 'session_token_invalid' }), { status: 401 }));
    await expect(startSession(api, place('#token=old').place)).rejects.toBeInstanceOf(SessionLinkRefused);
  });
});
