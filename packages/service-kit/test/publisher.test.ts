import { Publisher, PublishTimeoutError, requests, type BatchSender } from '../src/kafka/publisher.js';

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

describe('Publisher', () => {
  type Batch = Parameters<BatchSender['sendBatch']>[0];

  /** A producer whose sends complete only when the test says so. */
  function gatedProducer() {
    const sent: Batch[] = [];
    const gates: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
    const producer: BatchSender = {
      sendBatch: (batch) => {
        sent.push(batch);
        return new Promise((resolve, reject) => gates.push({ resolve: () => resolve([]), reject }));
      },
    };
    return { producer, sent, gates };
  }
  const flush = () => new Promise((r) => setImmediate(r));
  const msg = (topic: string, key: string) => [{ topic, messages: [{ key, value: key }] }];

  it('sends one request at a time and merges what arrives meanwhile into the next, acks from all replicas', async () => {
    const { producer, sent, gates } = gatedProducer();
    const publisher = new Publisher(producer);
    const first = publisher.publish(msg('events', 'a'));
    const second = publisher.publish(msg('deliveries', 'b'));
    const third = publisher.publish(msg('events', 'c'));
    await flush();
    expect(sent).toHaveLength(1);
    gates[0]!.resolve();
    await first;
    await flush();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.acks).toBe(-1);
    expect(sent[1]!.topicMessages!.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['deliveries', ['b']],
      ['events', ['c']],
    ]);
    gates[1]!.resolve();
    await Promise.all([second, third]);
    expect(publisher.busy).toBe(false);
  });

  it('rejects every caller of a failed request with the broker error', async () => {
    const { producer, gates } = gatedProducer();
    const publisher = new Publisher(producer);
    const a = publisher.publish(msg('t', 'a'));
    await flush();
    gates[0]!.reject(new Error('NOT_ENOUGH_REPLICAS'));
    await expect(a).rejects.toThrow('NOT_ENOUGH_REPLICAS');
  });

  it('stops waiting after the send timeout and withdraws what was not sent yet', async () => {
    const { producer, sent, gates } = gatedProducer();
    const publisher = new Publisher(producer, { sendTimeoutMs: 50 });
    const inFlight = publisher.publish(msg('t', 'a'));
    await flush();
    const queued = publisher.publish(msg('t', 'b'));
    await expect(inFlight).rejects.toBeInstanceOf(PublishTimeoutError);
    await expect(queued).rejects.toThrow('no acknowledgement from the broker within 50 ms');
    gates[0]!.resolve();
    await publisher.settled(1000);
    // The timed-out message still queued never went out; the one in flight was already sent.
    expect(sent.flatMap((b) => (b.topicMessages ?? []).flatMap((t) => t.messages.map((m) => m.key)))).toEqual(['a']);
  });

  it('without a timeout, waits as long as the broker takes', async () => {
    const { producer, gates } = gatedProducer();
    const publisher = new Publisher(producer);
    let done = false;
    const p = publisher.publish(msg('t', 'a')).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 60));
    expect(done).toBe(false);
    gates[0]!.resolve();
    await p;
    expect(done).toBe(true);
  });

  it('resolves at once when there is nothing to send', async () => {
    const { producer, sent } = gatedProducer();
    await new Publisher(producer).publish([{ topic: 't', messages: [] }]);
    expect(sent).toEqual([]);
  });
});
