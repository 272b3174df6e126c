import { startHarness, type Harness } from './helpers/harness.js';

// The policy of issue 20's contract, spelled out here so a change to the gateway's constant is a failing test.
const CONTRACT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The `src` and `href` URLs a page loads. */
const loads = (html: string) => [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);

describe('the portal and console pages (issue 20: served by the gateway with a strict CSP and cache headers)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(['portal', 'console'])('GET /%s/ answers the page with the CSP, no-cache, and bundles only from this origin', async (app) => {
    const r = await h.call('GET', `/${app}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toBe(CONTRACT_CSP);
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.text).toContain('<div id="app">');
    const urls = loads(r.text);
    expect(urls).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^/ui/assets/${app}-[A-Z0-9]+\\.js$`))]));
    // Nothing from a third party: every URL the page loads is a path on this origin or inline data.
    for (const url of urls) expect(url).toMatch(/^(\/(?!\/)|data:)/);
  });

  it('answers the same page under every client route, and redirects the bare path to the slash', async () => {
    const page = await h.call('GET', '/portal/');
    const deep = await h.call('GET', '/portal/endpoints/5f1c9a2e-0000-4000-8000-000000000000');
    expect(deep.status).toBe(200);
    expect(deep.text).toBe(page.text);
    expect(deep.headers.get('content-security-policy')).toBe(CONTRACT_CSP);

    const bare = await fetch(`${h.app.baseUrl}/console?x=1`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/?x=1');
  });

  it('serves the content-hashed bundles as immutable for a year, and 404s an unknown asset', async () => {
    const page = await h.call('GET', '/portal/');
    const assets = loads(page.text).filter((u) => u.startsWith('/ui/assets/'));
    expect(assets.some((u) => u.endsWith('.js'))).toBe(true);
    expect(assets.some((u) => u.endsWith('.css'))).toBe(true);
    for (const url of assets) {
      const r = await h.call('GET', url);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(r.headers.get('content-type')).toMatch(url.endsWith('.js') ? /javascript/ : /^text\/css/);
      expect(r.text.length).toBeGreaterThan(100);
    }
    const missing = await h.call('GET', '/ui/assets/portal-NOPE.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).not.toContain('immutable');
  });
});
