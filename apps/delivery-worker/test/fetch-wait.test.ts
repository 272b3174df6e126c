import { createRequire } from 'node:module';
import { RETRY_TIER_MS } from '@hookstream/service-kit';
import { createTestKafka, uniqueId, waitFor, type TestKafka } from '@hookstream/test-kit';
import { kafkaConsumerPort } from '../src/consume/consumer-port.js';
import { revisitIntervalMs } from '../src/consume/drained-revisits.js';
import { JobConsumer } from '../src/consume/job-consumer.js';

// The job consumer's adaptive fetch wait and its view of drained partitions reach kafkajs
// through a run-time change of its consumer group (kafkajs-consumer-group.ts): this checks, on
// the real broker and the kafkajs release in use, that the group's fetches really ask for the
// wait and leave out what the job consumer paused, and that other groups still work.
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

  it('leaves drained slow tiers out of the fetch requests, revisits them, and still reads a record written to one', async () => {
    const slow = k.topics.retry['30s'];
    const topics = [k.topics.deliveries, k.topics.retry['1s'], slow];
    // Every fetch request the broker connections of this process send, by topic.
    const requests: string[][] = [];
    const Broker = createRequire(import.meta.url)('kafkajs/src/broker/index.js') as {
      prototype: { fetch(req: { topics: { topic: string }[] }): Promise<unknown> };
    };
    const fetch = Broker.prototype.fetch;
    Broker.prototype.fetch = function (this: unknown, req) {
      if (req.topics.some((t) => topics.includes(t.topic))) requests.push(req.topics.map((t) => t.topic));
      return fetch.call(this, req);
    };
    const groupId = `${k.groupPrefix}.${uniqueId('drained')}`;
    const consumer = k.kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await consumer.connect();
    const read: string[] = [];
    const jobs = new JobConsumer(
      kafkaConsumerPort(consumer, groupId),
      (topic, _partition, message) => {
        read.push(`${topic}:${String(message.value)}`);
        return { work: Promise.resolve() };
      },
      {
        topics,
        partitionMaxInFlight: 10,
        maxWaiting: 10,
        commitIntervalMs: 100,
        fetchWait: { baseMs: 100, idleMaxMs: 500 },
        // The 30 s tier's own interval, capped at 1 s so the test sees several revisits.
        revisitIntervalOf: (topic) => (topic === slow ? revisitIntervalMs(RETRY_TIER_MS['30s'], 1_000) : undefined),
      },
      { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
      { inFlight: { inc: () => undefined, dec: () => undefined } },
    );
    try {
      await jobs.start();
      await waitFor(() => jobs.leftOut === 1, { what: 'the empty 30 s tier left out' });
      const from = requests.length;
      await waitFor(() => requests.slice(from).some((r) => r.includes(slow)) && requests.slice(from).some((r) => !r.includes(slow)), {
        what: 'fetches without the 30 s tier and a revisit with it',
      });
      // The other topics are in every request.
      for (const r of requests.slice(from)) expect(r).toEqual(expect.arrayContaining([k.topics.deliveries, k.topics.retry['1s']]));
      // Written while the tier is left out (held, as readiness sees it).
      await waitFor(() => jobs.isHeld(slow, 0), { what: 'the 30 s tier left out' });
      await k.publish(slow, [{ value: 'late but in time' }]);
      await waitFor(() => read.includes(`${slow}:late but in time`), { what: 'the record on the 30 s tier read at a revisit' });
      await waitFor(() => jobs.leftOut === 1, { what: 'the 30 s tier left out again once read to its end' });
    } finally {
      Broker.prototype.fetch = fetch;
      await jobs.stop(0);
    }
  });
});
