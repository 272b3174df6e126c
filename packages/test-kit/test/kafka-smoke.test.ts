import { leanKafkaProduceEncoding } from '@hookstream/service-kit';
import { createTestKafka, type TestKafka } from '../src/index.js';

describe('the real Kafka broker', () => {
  let k: TestKafka;
  beforeAll(async () => {
    k = await createTestKafka();
  });
  afterAll(async () => {
    await k.close();
  });

  it('creates the pipeline topics with their partition counts', async () => {
    const meta = await k.admin.fetchTopicMetadata({ topics: [k.topics.events, k.topics.retry['1s']] });
    expect(meta.topics.map((t) => t.partitions.length)).toEqual([2, 2]);
  });

  it('round-trips messages through the Publisher and a consumer group', async () => {
    const collector = await k.consume(k.topics.events);
    await k.publish(
      k.topics.events,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i % 3}`, value: JSON.stringify({ n: i }) })),
    );
    await collector.waitFor(10);
    const seen = collector
      .json<{ n: number }>()
      .map((m) => m.n)
      .sort((a, b) => a - b);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Same key, same partition: per-key ordering is what the pipeline relies on.
    const byKey = new Map<string, Set<number>>();
    for (const m of collector.messages) {
      const key = m.key!.toString();
      byKey.set(key, (byKey.get(key) ?? new Set()).add(m.partition));
    }
    for (const parts of byKey.values()) expect(parts.size).toBe(1);
  });

  it('round-trips records written by the lean produce encoding: null, empty and long keys, headers, values past 64 KiB', async () => {
    // createKafka put it in place: the broker checks every batch's CRC-32C and lengths.
    expect(leanKafkaProduceEncoding()).toBe(true);
    const sent = [
      { key: null, value: 'no key', headers: {} },
      { key: '', value: '', headers: { empty: '' } },
      { key: 'k'.repeat(300), value: 'é'.repeat(40), headers: { 'hookstream-record-type': 'delivery-job', bytes: Buffer.from([0, 1, 255]) } },
      { key: 'large', value: Buffer.alloc(70_000, 7), headers: { repeated: ['a', 'b'] } },
      { key: 'text', value: '€'.repeat(23_000), headers: { 'hookstream-tenant-id': 't'.repeat(100) } },
      ...Array.from({ length: 100 }, (_, i) => ({ key: `job-${i}`, value: JSON.stringify({ n: i, body: 'x'.repeat(1000) }), headers: { n: String(i) } })),
    ];
    const collector = await k.consume(k.topics.deliveries);
    await k.publish(k.topics.deliveries, sent);
    const got = await collector.waitFor(sent.length, 30_000);
    const asText = (v: Buffer | string | null | undefined) => (v == null ? null : Buffer.from(v).toString('hex'));
    const summary = (key: Buffer | string | null | undefined, value: Buffer | string | null | undefined, headers: object | undefined) => ({
      key: asText(key),
      value: asText(value),
      headers: Object.fromEntries(
        Object.entries(headers ?? {}).map(([name, v]) => [name, Array.isArray(v) ? v.map((x: Buffer | string) => asText(x)) : asText(v as Buffer | string)]),
      ),
    });
    const byKey = (a: { key: string | null }, b: { key: string | null }) => String(a.key).localeCompare(String(b.key));
    expect(got.map((m) => summary(m.key, m.value, m.headers)).sort(byKey)).toEqual(sent.map((m) => summary(m.key, m.value, m.headers)).sort(byKey));
  });
});
