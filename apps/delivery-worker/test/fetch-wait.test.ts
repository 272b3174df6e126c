import { createTestKafka, uniqueId, waitFor, type TestKafka } from '@hookstream/test-kit';
import { kafkaConsumerPort } from '../src/consume/consumer-port.js';

// The job consumer's adaptive fetch wait reaches kafkajs through a run-time change of its
// consumer group (kafkajs-fetch-wait.ts): this checks, on the real broker and the kafkajs
// release in use, that the group's fetches really ask for it and that other groups still work.
describe('the fetch wait of a real kafkajs consumer', () => {
  let k: TestKafka;

  beforeAll(async () => {
    k = await createTestKafka({ partitions: 1 });
  });
  afterAll(async () => {
    await k.close();
  });

  it('is asked of the job consumer before each fetch, and other groups keep their own', async () => {
    const topic = k.topics.deliveries;
    const groupId = `${k.groupPrefix}.${uniqueId('jobs')}`;
    const consumer = k.kafka.consumer({ groupId, maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await consumer.connect();
    const port = kafkaConsumerPort(consumer, groupId);
    let asked = 0;
    expect(
      port.fetchWaitFrom(() => {
        asked++;
        return 100;
      }),
    ).toBe(true);
    const values: string[] = [];
    await port.subscribe([topic]);
    await port.run(async ({ batch, resolveOffset }) => {
      for (const m of batch.messages) {
        values.push(String(m.value));
        resolveOffset(m.offset);
      }
    });
    const other = await k.consume(topic);
    await k.publish(topic, [{ value: 'one' }]);
    await waitFor(() => values.length === 1, { what: 'the record read by the job consumer' });
    await other.waitFor(1);
    const askedBefore = asked;
    await waitFor(() => asked >= askedBefore + 2, { what: 'two more fetches asking for their wait' });
    expect(values).toEqual(['one']);
    await port.disconnect();
  });
});
