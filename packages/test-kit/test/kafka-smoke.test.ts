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
});
