import { startReceiver, type Receiver } from '@hookstream/test-kit';
import { fanoutBursts } from '../src/fanout.js';
import type { EventPublisher } from '../src/publisher.js';

describe('fanoutBursts', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const post = (path: string) => fetch(`${receiver.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  it('counts the phase’s receipts only and says when publishing ended and the first and last receipt came', async () => {
    await post('/fanout/before'); // logged before the phase: not counted
    // Stands in for the pipeline: each publish is answered, then its "deliveries" arrive later.
    const deliveries: Promise<unknown>[] = [];
    const publisher: EventPublisher = {
      publish: async () => {
        await new Promise((r) => setTimeout(r, 30));
        deliveries.push(
          (async () => {
            await new Promise((r) => setTimeout(r, 40));
            await Promise.all([post('/fanout/a'), post('/fanout/b'), post('/other')]);
          })(),
        );
        return {};
      },
      publishBatch: () => Promise.reject(new Error('the fan-out publishes one event at a time')),
    };
    const burst = fanoutBursts(publisher, 'tenant', receiver, 2);
    const result = await burst(3);
    await Promise.all(deliveries);
    expect(result.events).toBe(3);
    expect(result.deliveries).toBe(6);
    expect(result.published_ms).toBeGreaterThanOrEqual(75); // three 30 ms publishes (timers may fire a millisecond early)
    expect(result.first_receipt_ms).toBeGreaterThanOrEqual(60); // one publish then a 40 ms wait
    expect(result.first_receipt_ms).toBeLessThan(result.last_receipt_ms);
    expect(result.last_receipt_ms).toBeGreaterThan(result.published_ms);
    expect(result.deliveries_per_s).toBeCloseTo(6 / (result.last_receipt_ms / 1000), 5);
  });
});
