import http from 'node:http';
import { got } from 'got';
import type { Receiver } from '@hookstream/test-kit';
import { runLoops } from './stats.js';

/**
 * Ceiling A: got posting the same body straight to the same receiver, at the
 * worker's concurrency, with keep-alive. No Kafka, no database.
 */
export async function httpCeiling(receiver: Receiver, body: string, concurrency: number, seconds: number): Promise<number> {
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
