import { createRequire } from 'node:module';
import { fixKafkaRequestQueue, type KafkaRequestQueue } from '../src/kafka/request-queue-fix.js';

const require = createRequire(import.meta.url);

interface Queue extends KafkaRequestQueue {
  push(request: { entry: Record<string, unknown>; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
}
type QueueClass = new (options: Record<string, unknown>) => Queue;

const silent = { debug: () => undefined, warn: () => undefined, info: () => undefined, error: () => undefined };
const newQueue = (maxInFlightRequests: number | null = null, { requestTimeout = 30_000, enforceRequestTimeout = false } = {}) =>
  new (require('kafkajs/src/network/requestQueue/index.js') as QueueClass)({
    maxInFlightRequests,
    requestTimeout,
    enforceRequestTimeout,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: silent,
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A request as kafkajs' Connection pushes it; `sent` records when it goes onto the socket. */
const request = (correlationId: number, sent: number[], rejected: Error[] = []) => ({
  entry: { correlationId, apiKey: 3, apiName: 'Metadata', apiVersion: 5, resolve: () => undefined, reject: (e: Error) => rejected.push(e) },
  expectResponse: true,
  sendRequest: () => sent.push(correlationId),
});

describe('kafkajs request queue fix', () => {
  beforeAll(() => {
    expect(fixKafkaRequestQueue()).toBe(true);
  });

  it('arms no timer once a response leaves nothing pending (kafkajs 2.2.4 re-armed a 1 ms one forever)', () => {
    const queue = newQueue();
    const sent: number[] = [];
    queue.push(request(1, sent));
    expect(sent).toEqual([1]);
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('still sends a request that waited for a free in-flight slot, and one that waited out a throttle', async () => {
    const queue = newQueue(1);
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest({ correlationId: 2, payload: Buffer.alloc(0), size: 0 });
    // The check armed while request 2 waited runs once, finds nothing and arms no other.
    await sleep(50);
    expect(queue.throttleCheckTimeoutId).toBeNull();

    queue.throttledUntil = Date.now() + 50;
    queue.push(request(3, sent));
    expect(sent).toEqual([1, 2]);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    const deadline = Date.now() + 5000;
    while (sent.length < 3 && Date.now() < deadline) await sleep(10);
    expect(sent).toEqual([1, 2, 3]);
    queue.destroy();
  });

  it('checks for timed-out requests only while one is in flight (kafkajs 2.2.4 checked every 100 ms)', async () => {
    const queue = newQueue(null, { requestTimeout: 30_000, enforceRequestTimeout: true });
    queue.scheduleRequestTimeoutCheck();
    expect(queue.requestTimeoutIntervalId ?? null).toBeNull();
    const sent: number[] = [];
    queue.push(request(1, sent));
    expect(queue.requestTimeoutIntervalId).toBeTruthy();
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    queue.destroy();
    expect(queue.inflight.size).toBe(0);
  });

  it('still times out a request that gets no answer, at its deadline, and then arms nothing', async () => {
    const queue = newQueue(null, { requestTimeout: 50, enforceRequestTimeout: true });
    queue.scheduleRequestTimeoutCheck();
    const sent: number[] = [];
    const rejected: Error[] = [];
    queue.push(request(1, sent, rejected));
    queue.push(request(2, sent, rejected));
    expect(sent).toEqual([1, 2]);
    // Request 2 is answered: only request 1 may time out.
    queue.fulfillRequest({ correlationId: 2, payload: Buffer.alloc(0), size: 0 });
    const deadline = Date.now() + 5000;
    while (rejected.length === 0 && Date.now() < deadline) await sleep(10);
    expect(rejected.map((e) => e.name)).toEqual(['KafkaJSRequestTimeoutError']);
    expect(queue.inflight.size).toBe(0);
    expect(queue.requestTimeoutIntervalId ?? null).toBeNull();
    queue.destroy();
  });

  it('enforces no timeout once the connection is destroyed, as kafkajs did', async () => {
    const queue = newQueue(null, { requestTimeout: 20, enforceRequestTimeout: true });
    queue.scheduleRequestTimeoutCheck();
    queue.destroy();
    const sent: number[] = [];
    const rejected: Error[] = [];
    queue.push(request(1, sent, rejected));
    expect(sent).toEqual([1]);
    expect(queue.requestTimeoutIntervalId ?? null).toBeNull();
    await sleep(100);
    expect(rejected).toEqual([]);
    // A reconnect enforces it again, for what was already in flight too.
    queue.scheduleRequestTimeoutCheck();
    const deadline = Date.now() + 5000;
    while (rejected.length === 0 && Date.now() < deadline) await sleep(10);
    expect(rejected.map((e) => e.name)).toEqual(['KafkaJSRequestTimeoutError']);
    queue.destroy();
  });
});
