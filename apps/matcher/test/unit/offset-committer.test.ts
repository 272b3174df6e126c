import { OffsetCommitter, type PartitionOffset } from '../../src/consumer/offset-committer.js';

const turn = () => new Promise((r) => setImmediate(r));

/** A commit function the test answers by hand, one request at a time. */
function manualBroker() {
  const requests: { offsets: PartitionOffset[]; answer(err?: Error): void }[] = [];
  return {
    requests,
    commit: (offsets: PartitionOffset[]) =>
      new Promise<void>((resolve, reject) => {
        requests.push({ offsets, answer: (err) => (err ? reject(err) : resolve()) });
      }),
  };
}

describe('OffsetCommitter', () => {
  it('merges offsets handed in while a request is in flight; the highest per partition wins and waiters resolve only once it is committed', async () => {
    const broker = manualBroker();
    const committer = new OffsetCommitter({ commit: broker.commit, onRetry: () => undefined, retryMaxMs: 1000 });
    const done: string[] = [];
    void committer.commit('events', 0, '10').then(() => done.push('p0@10'));
    void committer.commit('events', 1, '4').then(() => done.push('p1@4'));
    await turn();
    expect(broker.requests).toHaveLength(1);
    expect(broker.requests[0]!.offsets).toEqual([
      { topic: 'events', partition: 0, offset: '10' },
      { topic: 'events', partition: 1, offset: '4' },
    ]);

    void committer.commit('events', 0, '20').then(() => done.push('p0@20'));
    void committer.commit('events', 0, '15').then(() => done.push('p0@15'));
    await turn();
    expect(broker.requests).toHaveLength(1); // one request in flight at a time
    broker.requests[0]!.answer();
    await turn();
    await turn();
    expect(done.sort()).toEqual(['p0@10', 'p1@4']);
    expect(broker.requests).toHaveLength(2);
    expect(broker.requests[1]!.offsets).toEqual([{ topic: 'events', partition: 0, offset: '20' }]);
    broker.requests[1]!.answer();
    await turn();
    expect(done.sort()).toEqual(['p0@10', 'p0@15', 'p0@20', 'p1@4']);
  });

  it('retries a failed request, merged with what was handed in meanwhile, without resolving its waiters early', async () => {
    const broker = manualBroker();
    const retries: number[] = [];
    const committer = new OffsetCommitter({ commit: broker.commit, onRetry: (_e, attempt) => retries.push(attempt), retryMaxMs: 1000 });
    let first = false;
    void committer.commit('events', 2, '7').then(() => (first = true));
    await turn();
    void committer.commit('events', 2, '9');
    broker.requests[0]!.answer(new Error('coordinator moved'));
    await turn();
    expect(first).toBe(false);
    expect(retries).toEqual([1]);
    await new Promise((r) => setTimeout(r, 260)); // first back-off is 200 ms
    expect(broker.requests).toHaveLength(2);
    expect(broker.requests[1]!.offsets).toEqual([{ topic: 'events', partition: 2, offset: '9' }]);
    broker.requests[1]!.answer();
    await turn();
    expect(first).toBe(true);
  });

  it('drops pending offsets of partitions it no longer owns, and everything once stopped', async () => {
    const broker = manualBroker();
    const committer = new OffsetCommitter({ commit: broker.commit, onRetry: () => undefined, retryMaxMs: 1000 });
    void committer.commit('events', 0, '1');
    await turn();
    const released: number[] = [];
    void committer.commit('events', 0, '5').then(() => released.push(0));
    void committer.commit('events', 3, '8').then(() => released.push(3));
    committer.retainOnly((_topic, partition) => partition === 0);
    await turn();
    expect(released).toEqual([3]);
    broker.requests[0]!.answer();
    await turn();
    await turn();
    expect(broker.requests[1]!.offsets).toEqual([{ topic: 'events', partition: 0, offset: '5' }]);
    committer.stop();
    await committer.commit('events', 0, '6'); // resolves at once: nothing is sent after stop
    expect(broker.requests).toHaveLength(2);
    broker.requests[1]!.answer();
  });
});

describe('OffsetCommitter with a linger', () => {
  it('sends offsets handed in without urgency together once the linger is over, and an urgent one at once with them', async () => {
    const broker = manualBroker();
    const committer = new OffsetCommitter({ commit: broker.commit, onRetry: () => undefined, retryMaxMs: 1000, lingerMs: 40 });
    const done: string[] = [];
    void committer.commit('events', 0, '1').then(() => done.push('p0@1'));
    await turn();
    void committer.commit('events', 1, '7').then(() => done.push('p1@7'));
    void committer.commit('events', 0, '2').then(() => done.push('p0@2'));
    await turn();
    expect(broker.requests).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(broker.requests.map((r) => r.offsets)).toEqual([
      [
        { topic: 'events', partition: 0, offset: '2' },
        { topic: 'events', partition: 1, offset: '7' },
      ],
    ]);
    broker.requests[0]!.answer();
    await turn();
    expect(done.sort()).toEqual(['p0@1', 'p0@2', 'p1@7']);

    void committer.commit('events', 1, '8').then(() => done.push('p1@8'));
    await turn();
    expect(broker.requests).toHaveLength(1);
    void committer.commit('events', 0, '3', true).then(() => done.push('p0@3'));
    await turn();
    expect(broker.requests[1]!.offsets).toEqual([
      { topic: 'events', partition: 1, offset: '8' },
      { topic: 'events', partition: 0, offset: '3' },
    ]);
    broker.requests[1]!.answer();
    await turn();
    expect(done).toContain('p1@8');
    expect(done).toContain('p0@3');
  });

  it('flush and close send what lingers at once and resolve when it is committed; after close nothing lingers', async () => {
    const broker = manualBroker();
    const committer = new OffsetCommitter({ commit: broker.commit, onRetry: () => undefined, retryMaxMs: 1000, lingerMs: 60_000 });
    void committer.commit('events', 4, '10');
    let flushed = false;
    const flush = committer.flush().then(() => (flushed = true));
    await turn();
    expect(broker.requests).toHaveLength(1);
    expect(flushed).toBe(false);
    broker.requests[0]!.answer();
    await flush;
    expect(flushed).toBe(true);
    await committer.flush(); // nothing pending: resolves at once

    void committer.commit('events', 4, '11');
    await turn();
    expect(broker.requests).toHaveLength(1);
    const closed = committer.close();
    await turn();
    expect(broker.requests[1]!.offsets).toEqual([{ topic: 'events', partition: 4, offset: '11' }]);
    broker.requests[1]!.answer();
    await closed;
    void committer.commit('events', 4, '12');
    await turn();
    expect(broker.requests[2]!.offsets).toEqual([{ topic: 'events', partition: 4, offset: '12' }]);
    broker.requests[2]!.answer();
    committer.stop();
  });
});
