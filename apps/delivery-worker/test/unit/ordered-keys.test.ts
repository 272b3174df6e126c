import { OrderedKeys } from '../../src/dispatch/ordered-keys.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('OrderedKeys (the per-key in-order lane of FIFO webhooks)', () => {
  it('runs the tasks of one key one at a time, in submission order', async () => {
    const keys = new OrderedKeys();
    const started: number[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const done = gates.map((g, i) =>
      keys.run('a', () => {
        started.push(i);
        return g.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0]);
    gates[0]!.resolve();
    await done[0];
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    await Promise.all(done);
    expect(started).toEqual([0, 1, 2]);
    expect(keys.size).toBe(0);
  });

  it('a held key does not hold other keys', async () => {
    const keys = new OrderedKeys();
    const held = deferred();
    const started: string[] = [];
    void keys.run('held', () => {
      started.push('held-1');
      return held.promise;
    });
    void keys.run('held', async () => {
      started.push('held-2');
    });
    await keys.run('free', async () => {
      started.push('free-1');
    });
    await keys.run('free', async () => {
      started.push('free-2');
    });
    expect(started).toEqual(['held-1', 'free-1', 'free-2']);
    held.resolve();
    await tick();
    await tick();
    expect(started).toEqual(['held-1', 'free-1', 'free-2', 'held-2']);
  });

  it('after a failed task the queued tasks of its key fail too, unstarted (a later event must not overtake it), and the key recovers', async () => {
    const keys = new OrderedKeys();
    const first = deferred();
    const ran: number[] = [];
    const a = keys.run('k', () => {
      ran.push(1);
      return first.promise;
    });
    const b = keys.run('k', async () => {
      ran.push(2);
    });
    first.reject(new Error('partition revoked'));
    await expect(a).rejects.toThrow('partition revoked');
    await expect(b).rejects.toThrow('partition revoked');
    expect(ran).toEqual([1]);
    await keys.run('k', async () => {
      ran.push(3);
    });
    expect(ran).toEqual([1, 3]);
  });
});
