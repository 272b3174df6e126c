import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import { DeliveryClient, excerptOf } from '../../src/http/delivery-client.js';
import { RESPONSE_EXCERPT_BYTES } from '../../src/http/outcome.js';
import { EndpointRefusedError, guardedLookup } from '../../src/safety/endpoint-guard.js';

const REFUSED_MESSAGE = 'the endpoint resolves to a non-public address; hookstream calls only public endpoints';

interface Received {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let port: number;
let base: string;
const received: Received[] = [];
let connections = 0;

function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (req.url) {
    case '/redirect':
      res.writeHead(302, { location: `${base}/elsewhere` });
      return void res.end('moved');
    case '/gzip':
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
      return void res.end(gzipSync('decoded text'));
    case '/gzip-error':
      res.writeHead(503, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
      return void res.end(gzipSync('busy, try later'));
    case '/endless': {
      // Never ends: only the read cap ends the call.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('a'.repeat(16 * 1024)), 1);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/silent':
      return; // never answers
    case '/slow':
      setTimeout(() => res.end('late'), 150);
      return;
    case '/reset':
      return void req.socket.destroy();
    case '/broken-2xx':
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    default:
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end('created');
  }
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
});

const timeouts = { connectMs: 2000, readMs: 2000, totalMs: 5000 };
const json = { 'content-type': 'application/json' };

describe('DeliveryClient (undici)', () => {
  let client: DeliveryClient;
  beforeAll(() => {
    client = new DeliveryClient({ allowPrivate: true, userAgent: 'hookstream-test', connectTimeoutMs: 2000 });
  });
  afterAll(() => client.close());

  it('posts the body and headers and reports the status and the excerpt', async () => {
    const o = await client.post(`${base}/ok?x=1`, '{"ü":1}', { ...json, 'webhook-id': 'w1' }, timeouts);
    expect(o).toMatchObject({ statusCode: 201, body: 'created' });
    expect(o.errorClass).toBeUndefined();
    expect(o.startedAt).toBeInstanceOf(Date);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/ok?x=1', body: '{"ü":1}' });
    expect(received[0]!.headers['content-length']).toBe(String(Buffer.byteLength('{"ü":1}')));
    expect(received[0]!.headers['webhook-id']).toBe('w1');
    expect(received[0]!.headers['user-agent']).toBe('hookstream-test');
    expect(received[0]!.headers['content-type']).toBe('application/json');
    // Only an excerpt of the answer is kept: compression is not asked for.
    expect(received[0]!.headers['accept-encoding']).toBeUndefined();
  });

  it("sends a URL's credentials as Basic authentication", async () => {
    const o = await client.post(`http://user:p%40ss@127.0.0.1:${port}/ok`, '{}', json, timeouts);
    expect(o.statusCode).toBe(201);
    expect(received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  it('keeps connections alive and sends one request per connection at a time', async () => {
    const before = connections;
    for (let i = 0; i < 3; i++) expect((await client.post(`${base}/ok`, '{}', json, timeouts)).statusCode).toBe(201);
    // The pool may already hold a connection to this origin from the tests above.
    expect(connections - before).toBeLessThanOrEqual(1);
    const slowBefore = connections;
    const all = await Promise.all(Array.from({ length: 4 }, () => client.post(`${base}/slow`, '{}', json, timeouts)));
    expect(all.map((o) => o.body)).toEqual(['late', 'late', 'late', 'late']);
    // Four calls at once on at most one idle connection: at least three new ones (no pipelining).
    expect(connections - slowBefore).toBeGreaterThanOrEqual(3);
  });

  it('does not follow redirects', async () => {
    const o = await client.post(`${base}/redirect`, '{}', json, timeouts);
    expect(o).toMatchObject({ statusCode: 302, body: 'moved' });
    expect(received.map((r) => r.url)).toEqual(['/redirect']);
  });

  it('decodes a gzip response for the excerpt, error responses included', async () => {
    expect(await client.post(`${base}/gzip`, '{}', json, timeouts)).toMatchObject({ statusCode: 200, body: 'decoded text' });
    expect(await client.post(`${base}/gzip-error`, '{}', json, timeouts)).toMatchObject({ statusCode: 503, body: 'busy, try later' });
  });

  it('stops reading at the cap and keeps 1 KiB of the response', async () => {
    const o = await client.post(`${base}/endless`, '{}', json, timeouts);
    expect(o.statusCode).toBe(200);
    expect(o.errorClass).toBeUndefined();
    expect(o.body).toBe('a'.repeat(RESPONSE_EXCERPT_BYTES));
  });

  it('counts a 2xx whose body breaks off as that status', async () => {
    const o = await client.post(`${base}/broken-2xx`, '{}', json, timeouts);
    expect(o).toMatchObject({ statusCode: 200, body: 'partial' });
    expect(o.errorClass).toBeUndefined();
  });

  it('classifies silence after the request as timeout:read', async () => {
    const o = await client.post(`${base}/silent`, '{}', json, { connectMs: 2000, readMs: 200, totalMs: 5000 });
    expect(o).toMatchObject({ errorClass: 'timeout:read', errorMessage: 'no data from the endpoint for 200 ms' });
    expect(o.statusCode).toBeUndefined();
  });

  it('classifies the end of the whole exchange as timeout when no read limit applies', async () => {
    const o = await client.post(`${base}/silent`, '{}', json, { connectMs: 2000, totalMs: 200 });
    expect(o).toMatchObject({ errorClass: 'timeout', errorMessage: 'no response within 200 ms' });
  });

  it('classifies a connection closed before the response as connection_reset', async () => {
    expect(await client.post(`${base}/reset`, '{}', json, timeouts)).toMatchObject({ errorClass: 'connection_reset' });
  });

  it('classifies a closed port as connection_refused', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await client.post(`http://127.0.0.1:${closedPort}/`, '{}', json, timeouts)).toMatchObject({ errorClass: 'connection_refused' });
  });

  it('classifies a TLS handshake that does not complete in time as timeout:connect', async () => {
    // A TCP server that accepts and says nothing: the TLS handshake never completes.
    const sockets: net.Socket[] = [];
    const mute = net.createServer((s) => void sockets.push(s.resume()));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const o = await client.post(`https://127.0.0.1:${(mute.address() as AddressInfo).port}/`, '{}', json, { connectMs: 200, readMs: 2000, totalMs: 5000 });
    expect(o).toMatchObject({ errorClass: 'timeout:connect', errorMessage: 'no connection within 200 ms (connect)' });
    expect(sockets).toHaveLength(1);
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => mute.close(() => r()));
  });

  it('classifies a failed TLS handshake as tls', async () => {
    // An HTTP server answers the TLS client hello with plain text.
    const o = await client.post(`https://127.0.0.1:${port}/`, '{}', json, timeouts);
    expect(o.errorClass).toBe('tls');
  });

  it('classifies a host name that does not resolve as dns', async () => {
    const o = await client.post('http://hookstream-test.invalid/hook', '{}', json, timeouts);
    expect(o.errorClass).toBe('dns');
  });

  it('reports a URL it cannot call as network, naming no URL', async () => {
    const o = await client.post('ftp://user:secret@example.com/x', '{}', json, timeouts);
    expect(o.errorClass).toBe('network');
    expect(o.errorMessage).not.toContain('secret');
  });
});

describe('excerptOf', () => {
  const text = randomBytes(3000).toString('hex');
  it('decodes the beginning of a compressed answer, even cut short', () => {
    const gz = gzipSync(text);
    expect(excerptOf(gz.subarray(0, Math.floor(gz.length / 2)), 'gzip')).toBe(text.slice(0, RESPONSE_EXCERPT_BYTES));
    expect(excerptOf(brotliCompressSync(text), 'br')).toBe(text.slice(0, RESPONSE_EXCERPT_BYTES));
    expect(excerptOf(deflateRawSync('raw deflate'), 'deflate')).toBe('raw deflate');
  });
  it('keeps unknown encodings as they are and gives no excerpt for bytes that do not decode', () => {
    expect(excerptOf(Buffer.from('plain'), 'compress-me-not')).toBe('plain');
    expect(excerptOf(Buffer.from('not gzip at all'), 'gzip')).toBeUndefined();
  });
  it('gives up on a compression bomb instead of inflating it', () => {
    // 4 KiB of this inflate to about 4 MiB, past the 1 MiB bound.
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(excerptOf(bomb.subarray(0, 4096), 'gzip')).toBeUndefined();
  });
});

describe('DeliveryClient endpoint guard (private endpoints refused)', () => {
  let client: DeliveryClient;
  beforeAll(() => {
    client = new DeliveryClient({ allowPrivate: false, userAgent: 'hookstream-test', connectTimeoutMs: 2000 });
  });
  afterAll(() => client.close());

  it('refuses an IP literal before any connection', async () => {
    const before = connections;
    const o = await client.post(`${base}/ok`, '{}', json, timeouts);
    expect(o).toMatchObject({ errorClass: 'endpoint_refused', errorMessage: REFUSED_MESSAGE });
    // #16.10: the tenant reads the message; the operator log gets the detail.
    expect(o.refusal).toEqual({ host: '127.0.0.1', address: '127.0.0.1', addressClass: 'loopback' });
    expect(connections).toBe(before);
  });

  it("refuses a host name at connect time, through the socket's own lookup", async () => {
    const before = connections;
    const o = await client.post(`http://localhost:${port}/ok`, '{}', json, timeouts);
    expect(o).toMatchObject({ errorClass: 'endpoint_refused', errorMessage: REFUSED_MESSAGE });
    expect(o.errorMessage).not.toMatch(/127\.0\.0\.1|::1|loopback|localhost/);
    expect(o.refusal).toEqual({ host: 'localhost', address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/), addressClass: 'loopback' });
    expect(connections).toBe(before);
    expect(received).toHaveLength(0);
  });
});

// #16.3: HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true admits loopback, never link-local or cloud metadata.
describe('DeliveryClient endpoint guard (private endpoints allowed for development)', () => {
  let client: DeliveryClient;
  beforeAll(() => {
    client = new DeliveryClient({ allowPrivate: true, userAgent: 'hookstream-test', connectTimeoutMs: 2000 });
  });
  afterAll(() => client.close());

  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'cloud-metadata'],
    ['http://169.254.10.10/x', '169.254.10.10', 'link-local'],
    ['http://100.100.100.200/latest/meta-data/', '100.100.100.200', 'cloud-metadata'],
    ['http://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254', 'cloud-metadata'],
    ['http://[fe80::1]/x', 'fe80::1', 'link-local'],
    ['http://[::ffff:169.254.169.254]/x', '::ffff:a9fe:a9fe', 'cloud-metadata'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal', 'cloud-metadata'],
  ])('refuses %s without a connection', async (url, host, addressClass) => {
    const o = await client.post(url, '{}', json, { connectMs: 300, totalMs: 500 });
    expect(o).toMatchObject({ errorClass: 'endpoint_refused', errorMessage: REFUSED_MESSAGE });
    expect(o.refusal).toMatchObject({ host, addressClass });
  });

  it('calls a loopback endpoint, by address and by name', async () => {
    expect((await client.post(`${base}/ok`, '{}', json, timeouts)).statusCode).toBe(201);
    expect((await client.post(`http://localhost:${port}/ok`, '{}', json, timeouts)).statusCode).toBe(201);
  });
});

describe("guardedLookup (the sockets' DNS check)", () => {
  const resolve = (allowPrivate: boolean, host: string) =>
    new Promise<{ err: Error | null; addresses: unknown }>((done) =>
      guardedLookup(allowPrivate)(host, { all: true }, (err, addresses) => done({ err, addresses })),
    );

  it.each([
    [true, '169.254.169.254', 'cloud-metadata'],
    [true, '169.254.0.1', 'link-local'],
    [true, 'fe80::1', 'link-local'],
    [true, '::ffff:169.254.169.254', 'cloud-metadata'],
    [false, 'localhost', 'loopback'],
  ])('with allowPrivate %s refuses what %s resolves to', async (allowPrivate, host, addressClass) => {
    const { err } = await resolve(allowPrivate, host);
    expect(err).toBeInstanceOf(EndpointRefusedError);
    expect(err).toMatchObject({ host, addressClass, message: REFUSED_MESSAGE });
  });

  it('with allowPrivate admits what localhost resolves to', async () => {
    const { err, addresses } = await resolve(true, 'localhost');
    expect(err).toBeNull();
    expect(addresses).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) })]));
  });
});
