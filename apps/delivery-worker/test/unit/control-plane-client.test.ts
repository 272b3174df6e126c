import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Options } from 'got';
import { ControlPlaneClient, createGotClient, leanRequest } from '../../src/http/control-plane-client.js';
import { RESPONSE_EXCERPT_BYTES } from '../../src/http/outcome.js';
import { guardedLookup } from '../../src/safety/endpoint-guard.js';

/** A real agent that records the options node hands it for each new connection. */
class RecordingAgent extends http.Agent {
  readonly seen: Record<string, unknown>[] = [];
  override createConnection(options: Record<string, unknown>, cb?: unknown): ReturnType<http.Agent['createConnection']> {
    this.seen.push({ ...options });
    // @types/node does not declare createConnection on Agent's prototype, but node defines it there.
    return (
      http.Agent.prototype as unknown as { createConnection: (o: unknown, c?: unknown) => ReturnType<http.Agent['createConnection']> }
    ).createConnection.call(this, options, cb);
  }
}

interface Received {
  method?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const received: Received[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `${base}/elsewhere` });
        res.end();
      } else if (req.url === '/gzip') {
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
        res.end(gzipSync('decoded text'));
      } else if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('a'.repeat(200 * 1024));
      } else if (req.url === '/token-16k') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 't'.repeat(16 * 1024), token_type: 'Bearer', expires_in: 3600 }));
      } else if (req.url === '/token-16k-gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify({ access_token: 'g'.repeat(16 * 1024) })));
      } else if (req.url === '/bomb') {
        // about 20 KiB of gzip that inflates to 20 MiB: the cap applies to what it inflates to.
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(Buffer.alloc(20 * 1024 * 1024, 'x')));
      } else {
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end('created');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
});

describe('createGotClient', () => {
  it('gives every request empty cache options (got spreads them into each request; non-empty ones hit a slow path)', () => {
    const agents = { http: new http.Agent(), https: new https.Agent() };
    const client = createGotClient({ agents, dnsLookup: guardedLookup(true), userAgent: 'ua-test' });
    expect(Object.keys(client.defaults.options.cacheOptions)).toEqual([]);
    const perRequest = new Options(`${base}/x`, { method: 'POST', body: 'b', headers: { 'webhook-id': 'x' } }, client.defaults.options);
    expect(Object.keys(perRequest.cacheOptions)).toEqual([]);
    const native = perRequest.createNativeRequestOptions() as Record<string, unknown>;
    expect(native).not.toHaveProperty('shared');
    expect(native).not.toHaveProperty('cacheHeuristic');
    // The rest of the request is untouched: the instance's settings and the call's headers.
    expect(perRequest.headers['user-agent']).toBe('ua-test');
    expect(perRequest.headers['webhook-id']).toBe('x');
    expect(perRequest.followRedirect).toBe(false);
    expect(perRequest.retry.limit).toBe(0);
    expect(perRequest.request).toBe(leanRequest);
    agents.http.destroy();
    agents.https.destroy();
  });

  it("hands node:http only defined options, and the request still carries got's lookup, method and headers", async () => {
    const agent = new RecordingAgent({ keepAlive: false });
    let lookups = 0;
    const lookup = guardedLookup(true);
    const client = createGotClient({
      agents: { http: agent, https: new https.Agent() },
      dnsLookup: (host, opts, cb) => {
        lookups += 1;
        lookup(host, opts, cb);
      },
      userAgent: 'ua-test',
    });
    const url = `http://localhost:${(server.address() as AddressInfo).port}/lean`;
    const res = await client.post(url, { body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(201);
    expect(res.body).toBe('created');
    expect(lookups).toBe(1);
    expect(agent.seen).toHaveLength(1);
    const opts = agent.seen[0]!;
    expect(
      Object.entries(opts)
        .filter(([, v]) => v === undefined)
        .map(([k]) => k),
    ).toEqual([]);
    expect(opts.method).toBe('POST');
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['user-agent']).toBe('ua-test');
    expect(received[0]!.headers['content-length']).toBe('7');
    expect(received[0]!.body).toBe('{"a":1}');
    agent.destroy();
  });
});

describe('ControlPlaneClient (the lean got client)', () => {
  const timeouts = { connectMs: 2000, readMs: 2000, totalMs: 5000 };
  let sender: ControlPlaneClient;
  beforeAll(() => {
    sender = new ControlPlaneClient(true, 'hookstream-test');
  });
  afterAll(() => sender.close());

  it('posts the body and headers and reports the status and the excerpt', async () => {
    const o = await sender.post(`${base}/ok`, '{"ü":1}', { 'content-type': 'application/json', 'webhook-id': 'w1' }, timeouts);
    expect(o).toMatchObject({ statusCode: 201, body: 'created' });
    expect(o.errorClass).toBeUndefined();
    expect(received[0]!.method).toBe('POST');
    expect(received[0]!.body).toBe('{"ü":1}');
    expect(received[0]!.headers['content-length']).toBe(String(Buffer.byteLength('{"ü":1}')));
    expect(received[0]!.headers['webhook-id']).toBe('w1');
    expect(received[0]!.headers['user-agent']).toBe('hookstream-test');
  });

  it('sends a form body urlencoded', async () => {
    const o = await sender.post(
      `${base}/token`,
      new URLSearchParams({ grant_type: 'client_credentials', scope: 'a b' }),
      { accept: 'application/json' },
      timeouts,
    );
    expect(o.statusCode).toBe(201);
    expect(received[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received[0]!.body).toBe('grant_type=client_credentials&scope=a+b');
  });

  it('does not follow redirects', async () => {
    const o = await sender.post(`${base}/redirect`, '{}', { 'content-type': 'application/json' }, timeouts);
    expect(o.statusCode).toBe(302);
    expect(received.map((r) => r.method)).toEqual(['POST']);
  });

  it('decodes a gzip response for the excerpt', async () => {
    const o = await sender.post(`${base}/gzip`, '{}', { 'content-type': 'application/json' }, timeouts);
    expect(o).toMatchObject({ statusCode: 200, body: 'decoded text' });
  });

  // #16.5: token answers are read whole up to their cap (a 1.5 KB Azure AD token was cut at 1 KiB).
  it('reads a 16 KiB answer whole, decoded if compressed', async () => {
    const plain = await sender.post(`${base}/token-16k`, '{}', { accept: 'application/json' }, timeouts, 64 * 1024);
    expect(plain.statusCode).toBe(200);
    expect((JSON.parse(plain.body!) as { access_token: string }).access_token).toBe('t'.repeat(16 * 1024));
    const gzipped = await sender.post(`${base}/token-16k-gzip`, '{}', { accept: 'application/json' }, timeouts, 64 * 1024);
    expect((JSON.parse(gzipped.body!) as { access_token: string }).access_token).toBe('g'.repeat(16 * 1024));
  });

  it('refuses an answer beyond the cap with a clear error and keeps none of it', async () => {
    for (const path of ['/big', '/bomb']) {
      const o = await sender.post(`${base}${path}`, '{}', { accept: 'application/json' }, timeouts, 64 * 1024);
      expect(o).toMatchObject({ statusCode: 200, errorClass: 'answer_too_large', errorMessage: 'answer larger than 65536 bytes' });
      expect(o.body).toBeUndefined();
    }
  });

  it('keeps 1 KiB of a large answer when no cap is asked for', async () => {
    const o = await sender.post(`${base}/big`, '{}', { 'content-type': 'application/json' }, timeouts);
    expect(o.statusCode).toBe(200);
    expect(o.body).toBe('a'.repeat(RESPONSE_EXCERPT_BYTES));
  });
});
