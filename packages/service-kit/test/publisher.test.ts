import { requests } from '../src/kafka/publisher.js';

describe('produce requests', () => {
  it('cuts a large hand-over into requests under the byte bound, keeping every message once and in order', () => {
    const value = 'v'.repeat(1000);
    const jobs = Array.from({ length: 2500 }, (_, i) => ({ key: `w${i}`, value }));
    const invalid = [{ key: 'x', value: 'bad' }];
    const out = requests(
      [
        { topic: 'deliveries', messages: jobs },
        { topic: 'events.invalid', messages: invalid },
      ],
      100_000,
    );
    expect(out.length).toBeGreaterThan(20);
    for (const r of out) {
      const bytes = r.flatMap((t) => t.messages).reduce((n, m) => n + String(m.value).length + String(m.key).length, 0);
      expect(bytes).toBeLessThanOrEqual(100_000);
    }
    const sent = out.flatMap((r) => r.flatMap((t) => t.messages.map((m) => `${t.topic}/${String(m.key)}`)));
    expect(sent).toEqual([...jobs.map((j) => `deliveries/${j.key}`), 'events.invalid/x']);
  });

  it('sends a message larger than the bound alone rather than never', () => {
    const out = requests(
      [
        {
          topic: 't',
          messages: [
            { key: 'a', value: 'x'.repeat(50) },
            { key: 'b', value: 'y'.repeat(500) },
          ],
        },
      ],
      100,
    );
    expect(out.map((r) => r[0]!.messages.map((m) => m.key))).toEqual([['a'], ['b']]);
  });
});
