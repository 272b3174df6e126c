import http from 'node:http';
import { got } from 'got';
import { Pool } from 'undici';
import type { Receiver } from '@hookstream/test-kit';
import { runLoops } from './stats.js';

/**
 * Ceiling A with got (what the delivery worker used until issue #15): got posting the same body
 * straight to the same receiver, at the worker's concurrency, with keep-alive. No Kafka, no
 * database. Reported beside the undici ceiling to show what the client costs.
 */
export async function httpCeilingGot(receiver: Receiver, body: string, concurrency: number, seconds: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const client = got.extend({ agent: { http: agent }, throwHttpErrors: true, retry: { limit: 0 }, followRedirect: false });
  let n = 0;
  const t0 = Date.now();
  const done = await runLoops(concurrency, t0 + seconds * 1000, async () => {
    await client.post(`${receiver.url}/ceiling`, { body, headers: { 'content-type': 'application/json', 'webhook-id': `c${n++}` } });
  });
  agent.destroy();
  return done / ((Date.now() - t0) / 1000);
}

/**
 * Ceiling A, the physical single-hop limit: undici's `Pool.request` (the cheapest Node.js HTTP/1.1
 * client) posting the same body to the same receiver, one keep-alive connection per concurrent
 * call (the worker's concurrency), no pipelining. Each response body is read in full, as the
 * worker reads it, and anything but a 2xx fails the measurement.
 */
export async function httpCeilingUndici(receiver: Receiver, body: string, concurrency: number, seconds: number): Promise<number> {
  const pool = new Pool(receiver.url, { connections: concurrency, pipelining: 1 });
  let n = 0;
  const t0 = Date.now();
  try {
    const done = await runLoops(concurrency, t0 + seconds * 1000, async () => {
      const res = await pool.request({
        path: '/ceiling',
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'webhook-id': `u${n++}` },
      });
      await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`ceiling A (undici): receiver answered ${res.statusCode}`);
    });
    return done / ((Date.now() - t0) / 1000);
  } finally {
    await pool.close();
  }
}
