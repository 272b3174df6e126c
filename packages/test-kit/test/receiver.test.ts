import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { startReceiver, startTokenEndpoint, verifyStandardSignature, waitFor } from '../src/index.js';

describe('test receiver', () => {
  it('verifies Standard Webhooks signatures, including whsec_ secrets', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const sig = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef')).update('id1.1700000000.{"a":1}').digest('base64');
    expect(verifyStandardSignature(secret, 'id1', '1700000000', '{"a":1}', `v1,${sig}`)).toBe(true);
    expect(verifyStandardSignature(secret, 'id1', '1700000000', '{"a":2}', `v1,${sig}`)).toBe(false);
  });

  it('counts deliveries by webhook-id, fails on demand and checks tokens', async () => {
    const r = await startReceiver();
    try {
      r.behave('/a', { failTimes: 1, token: { header: 'x-token', value: 't1' } });
      const post = (id: string, token: string) =>
        fetch(`${r.url}/a`, { method: 'POST', headers: { 'webhook-id': id, 'x-token': token, 'content-type': 'application/json' }, body: '{"n":1}' });
      expect((await post('d1', 't1')).status).toBe(500);
      expect((await post('d1', 't1')).status).toBe(200);
      expect((await post('d2', 'wrong')).status).toBe(401);
      expect([...r.uniqueIds('/a')]).toEqual(['d1']);
      expect(r.at('/a').map((x) => x.verified)).toEqual([true, true, false]);
    } finally {
      await r.close();
    }
  });

  it('keeps the body exactly, parsed as JSON when it is JSON and as text otherwise', async () => {
    const r = await startReceiver();
    try {
      // Large enough to arrive in several chunks, with multi-byte characters that a chunk boundary may split.
      const big = { text: 'é€😀'.repeat(40_000) };
      const post = (id: string, body: string) => fetch(`${r.url}/b`, { method: 'POST', headers: { 'webhook-id': id }, body });
      expect((await post('j', JSON.stringify(big))).status).toBe(200);
      expect((await post('t', 'not json {')).status).toBe(200);
      const [json, text] = [r.byId('j')[0]!, r.byId('t')[0]!];
      expect(json.raw).toBe(JSON.stringify(big));
      expect(json.body).toEqual(big);
      expect([text.raw, text.body]).toEqual(['not json {', 'not json {']);
    } finally {
      await r.close();
    }
  });

  it('answers as respond says, lists a request on arrival and counts it as answered only once it is', async () => {
    const r = await startReceiver({ respond: (_req, n) => (n === 1 ? { hang: true } : { status: 202, body: 'later', delayMs: 50 }) });
    const post = (id: string) => fetch(`${r.url}/x`, { method: 'POST', headers: { 'webhook-id': id }, body: '{"n":1}' });
    const hung = post('h1').then(
      () => 'answered',
      () => 'cut off',
    );
    try {
      await waitFor(() => r.byId('h1').length === 1, { what: 'the first request' });
      const second = await post('h2');
      expect([second.status, await second.text()]).toEqual([202, 'later']);
      expect(r.requests.map((x) => [x.webhookId, x.answeredAt !== undefined])).toEqual([
        ['h1', false],
        ['h2', true],
      ]);
      expect(r.at('/x').map((x) => x.webhookId)).toEqual(['h2']);
      expect(r.byId('h2')[0]!.body).toEqual({ n: 1 });
    } finally {
      await r.close();
    }
    expect(await hung).toBe('cut off');
  });
});

describe('test token endpoint', () => {
  const opts = { clientId: 'client-1', clientSecret: 'a-long-client-secret-for-hs256-signing', audience: 'https://auth.example.com' };
  const assertion = (secret: string, lifetime = 600) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(opts.clientId)
      .setSubject(opts.clientId)
      .setAudience(opts.audience)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .sign(new TextEncoder().encode(secret));
  };
  const request = async (url: string, jwt: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: jwt,
      }),
    });

  it('issues a token only for a correctly signed assertion', async () => {
    const t = await startTokenEndpoint(opts);
    try {
      const good = await request(t.url, await assertion(opts.clientSecret));
      expect(good.status).toBe(200);
      const body = (await good.json()) as { access_token: string; expires_in: number };
      expect(t.isValid(body.access_token)).toBe(true);
      expect(body.expires_in).toBe(600);
      expect((await request(t.url, await assertion('another-secret-of-the-wrong-client'))).status).toBe(401);
      expect((await request(t.url, await assertion(opts.clientSecret, 3600))).status).toBe(401);
      expect(t.requests.map((r) => r.status)).toEqual([200, 401, 401]);
      expect(t.requests.map((r) => r.error)).toEqual([undefined, 'signature verification failed', 'assertion lifetime 3600']);
    } finally {
      await t.close();
    }
  });
});
