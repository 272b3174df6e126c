import http from 'node:http';
import { got } from 'got';
import { Pool } from 'undici';
import type { Receiver } from '@hookstream/test-kit';
import { runLoops } from './stats.js';

/** A ceiling's rate, and the bench process's CPU (client and receiver, which share it) per request. */
export interface HttpCeiling {
  per_s: number;
  /** Unlike the rate, barely moved by other load on the machine: compares clients on a busy machine. */
  cpu_ms_per_request: number;
}

async function measure(concurrency: number, seconds: number, call: () => Promise<void>): Promise<HttpCeiling> {
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const done = await runLoops(concurrency, t0 + seconds * 1000, call);
  const wallS = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { per_s: done / wallS, cpu_ms_per_request: (cpu.user + cpu.system) / 1000 / Math.max(1, done) };
}

/**
 * Ceiling A with got (what the delivery worker used until issue #15): got posting the same body
 * straight to the same receiver, at the worker's concurrency, with keep-alive. No Kafka, no
 * database. Reported beside the undici ceiling to show what the client costs.
 */
export async function httpCeilingGot(receiver: Receiver, body: string, concurrency: number, seconds: number): Promise<HttpCeiling> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const client = got.extend({ agent: { http: agent }, throwHttpErrors: true, retry: { limit: 0 }, followRedirect: false });
  let n = 0;
  try {
    return await measure(concurrency, seconds, async () => {
      await client.post(`${receiver.url}/ceiling`, { body, headers: { 'content-type': 'application/json', 'webhook-id': `c${n++}` } });
    });
  } finally {
    agent.destroy();
  }
}

/**
 * Ceiling A, the physical single-hop limit: undici's `Pool.request` (the cheapest Node.js HTTP/1.1
 * client) posting the same body to the same receiver, one keep-alive connection per concurrent
 * call (the worker's concurrency), no pipelining. Each response body is read in full, as the
 * worker reads it, and anything but a 2xx fails the measurement.
 */
export async function httpCeilingUndici(receiver: Receiver, body: string, concurrency: number, seconds: number): Promise<HttpCeiling> {
  const pool = new Pool(receiver.url, { connections: concurrency, pipelining: 1 });
  let n = 0;
  try {
    return await measure(concurrency, seconds, async () => {
      const res = await pool.request({
        path: '/ceiling',
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'webhook-id': `u${n++}` },
      });
      await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`ceiling A (undici): receiver answered ${res.statusCode}`);
    });
  } finally {
    await pool.close();
  }
}
