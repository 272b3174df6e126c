import { createLogger, Health, prom, trackConsumerProgress } from '@hookstream/service-kit';
import { createTestKafka, type TestKafka } from '../src/index.js';
import { sleep, waitFor } from '../src/wait.js';

// The lag watch of every consumer (service-kit's trackConsumerProgress) on the real broker: its
// figures, and what one round asks the broker for (issue 15: it sent 20 requests every 5 s for the
// worker's 8 topics, most of an idle worker's traffic).
describe('the consumer lag watch on the real broker', () => {
  let k: TestKafka;
  beforeAll(async () => {
    k = await createTestKafka({ partitions: 2 });
  });
  afterAll(async () => {
    await k.close();
  });

  it('reads the lag of all topics with one ListOffsets and one OffsetFetch a round, the earliest offsets only where nothing is committed', async () => {
    const groupId = `${k.groupPrefix}lag-watch`;
    const [deliveries, retry] = [k.topics.deliveries, k.topics.retry['1s']];
    // Ten records on each partition of `deliveries` (explicit partitions: the counts are known).
    for (const partition of [0, 1]) {
      await k.publish(
        deliveries,
        Array.from({ length: 10 }, (_, i) => ({ partition, key: `k${i}`, value: `r${i}` })),
      );
    }
    expect((await k.admin.fetchTopicOffsets(deliveries)).map((p) => p.high)).toEqual(['10', '10']);
    // The group committed 4 on partition 0 and nothing on partition 1, whose first 3 records are
    // deleted: its lag counts from the earliest retained offset.
    await k.admin.setOffsets({ groupId, topic: deliveries, partitions: [{ partition: 0, offset: '4' }] });
    await k.admin.deleteTopicRecords({ topic: deliveries, partitions: [{ partition: 1, offset: '3' }] });

    const requests: string[] = [];
    const listen = k.admin.on(k.admin.events.REQUEST, (e) => requests.push(e.payload.apiName));
    const metrics = new prom.Registry();
    const progress = trackConsumerProgress({
      admin: k.admin,
      consumer: k.kafka.consumer({ groupId }),
      groupId,
      topics: [deliveries, retry],
      metrics,
      health: new Health(),
      logger: createLogger('test', 'silent'),
      intervalMs: 300,
    });
    const lagOf = async () => {
      const values = (await metrics.getSingleMetric('hookstream_consumer_lag')?.get())?.values ?? [];
      return Object.fromEntries(values.map((v) => [`${v.labels.topic === deliveries ? 'deliveries' : 'retry'}:${v.labels.partition}`, v.value]));
    };
    try {
      // The first round may look up the topics' metadata and the group's coordinator; the rounds
      // after the one that set the gauges are counted.
      await waitFor(async () => Object.keys(await lagOf()).length === 4, { timeoutMs: 20_000, what: 'the lag gauges' });
      expect(await lagOf()).toEqual({ 'deliveries:0': 6, 'deliveries:1': 7, 'retry:0': 0, 'retry:1': 0 });
      const from = requests.length;
      await waitFor(() => requests.slice(from).filter((r) => r === 'OffsetFetch').length >= 3, { timeoutMs: 20_000, what: 'three more rounds' });
      progress.stop();
      // The round in flight finishes.
      await sleep(1000);
      const asked = requests.slice(from);
      const rounds = asked.filter((r) => r === 'OffsetFetch').length;
      // Per round: the high watermarks of both topics in one request, the group's offsets, and the
      // earliest offset of the one partition with records and no commit; no metadata, no coordinator lookup.
      expect(asked.filter((r) => r !== 'OffsetFetch' && r !== 'ListOffsets')).toEqual([]);
      expect(asked.filter((r) => r === 'ListOffsets')).toHaveLength(2 * rounds);
    } finally {
      progress.stop();
      listen();
    }
  });
});
