import net from 'node:net';
import express from 'express';
import { listen } from '../../src/http/listen.js';

/** Opens a TCP connection and resolves once it is established. */
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends a request on the socket; resolves with everything received until the peer closed. */
function exchange(s: net.Socket, request: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    s.on('data', (b: Buffer) => (got += b.toString('latin1')));
    s.once('close', () => resolve(got));
    s.on('error', () => undefined);
    s.write(request);
    setTimeout(() => s.destroy(), 5000).unref();
  });
}

const GET = 'GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n';

describe('the gateway HTTP server', () => {
  it('#16.12: refuses the connection beyond HTTP_MAX_CONNECTIONS and serves again once one closes', async () => {
    const app = express();
    app.get('/ok', (_req, res) => {
      res.json({ ok: true });
    });
    let dropped = 0;
    const http = await listen(app, 0, '127.0.0.1', { maxConnections: 2, onDrop: () => dropped++ });
    const held: net.Socket[] = [];
    try {
      held.push(await connect(http.port), await connect(http.port));
      // Give the server the moment it takes to accept both before the third arrives.
      await new Promise((r) => setTimeout(r, 50));
      const third = await connect(http.port);
      expect(await exchange(third, GET)).toBe('');
      expect(dropped).toBe(1);
      held[0]!.destroy();
      await new Promise((r) => setTimeout(r, 50));
      expect(await exchange(await connect(http.port), GET)).toMatch(/^HTTP\/1\.1 200 OK/);
    } finally {
      for (const s of held) s.destroy();
      await http.close();
    }
  });

  it('#16.12: bounds slow headers and slow requests (slowloris) and sends the security headers on parser errors', async () => {
    const http = await listen(express(), 0, '127.0.0.1', { maxConnections: 10 });
    try {
      expect(http.server.headersTimeout).toBeLessThanOrEqual(20_000);
      expect(http.server.requestTimeout).toBeGreaterThanOrEqual(http.server.headersTimeout);
      expect(http.server.requestTimeout).toBeLessThanOrEqual(60_000);
      expect(http.server.maxConnections).toBe(10);
      const answer = await exchange(await connect(http.port), 'GET / HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain("\r\ncontent-security-policy: default-src 'none'; frame-ancestors 'none'\r\n");
      expect(answer).toContain('\r\nx-content-type-options: nosniff\r\n');
    } finally {
      await http.close();
    }
  });
});
