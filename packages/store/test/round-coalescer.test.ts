import { RoundCoalescer } from '../src/round-coalescer.js';

/** A round the test finishes by hand, on a clock the test moves. */
function harness() {
  let clock = 0;
  const rounds: { from: number; finish: () => void; fail: (e: Error) => void }[] = [];
  const coalescer = new RoundCoalescer(
    () =>
      new Promise<void>((finish, fail) => {
        rounds.push({ from: clock, finish, fail });
      }),
    () => clock,
  );
  return { coalescer, rounds, tick: (t: number) => (clock = t) };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const settled = async <T>(p: Promise<T>) => {
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
};

describe('RoundCoalescer', () => {
  it('starts a round for the first caller and resolves when it completes', async () => {
    const h = harness();
    h.tick(10);
    const p = h.coalescer.after(10);
    await flush();
    expect(h.rounds).toHaveLength(1);
    expect(await settled(p)).toBe('pending');
    h.rounds[0]!.finish();
    expect(await settled(p)).toBe('resolved');
  });

  it('serves callers whose time a completed round already covers without a new round', async () => {
    const h = harness();
    h.tick(10);
    const first = h.coalescer.after(10);
    await flush();
    h.rounds[0]!.finish();
    await first;
    await h.coalescer.after(9);
    await h.coalescer.after(10);
    expect(h.rounds).toHaveLength(1);
    // A later time is not covered by a round that started before it.
    h.tick(11);
    void h.coalescer.after(11);
    await flush();
    expect(h.rounds).toHaveLength(2);
  });

  it('lets a caller join a running round that started after its time', async () => {
    const h = harness();
    h.tick(20);
    const a = h.coalescer.after(20);
    const b = h.coalescer.after(15);
    await flush();
    expect(h.rounds).toHaveLength(1);
    h.rounds[0]!.finish();
    expect(await settled(b)).toBe('resolved');
    expect(await settled(a)).toBe('resolved');
  });

  it('queues one shared round behind a running round that started too early', async () => {
    const h = harness();
    h.tick(1);
    const a = h.coalescer.after(1);
    h.tick(5);
    const b = h.coalescer.after(5);
    h.tick(6);
    const c = h.coalescer.after(6);
    await flush();
    expect(h.rounds).toHaveLength(1);
    h.rounds[0]!.finish();
    expect(await settled(a)).toBe('resolved');
    // b and c were not covered by the first round: they wait for the second, started after both.
    expect(await settled(b)).toBe('pending');
    expect(h.rounds).toHaveLength(2);
    expect(h.rounds[1]!.from).toBe(6);
    h.rounds[1]!.finish();
    expect(await settled(b)).toBe('resolved');
    expect(await settled(c)).toBe('resolved');
  });

  it('rejects the callers of a failed round and starts afresh for the next caller', async () => {
    const h = harness();
    h.tick(3);
    const a = h.coalescer.after(3);
    await flush();
    h.rounds[0]!.fail(new Error('feed down'));
    await expect(a).rejects.toThrow('feed down');
    const b = h.coalescer.after(3);
    await flush();
    expect(h.rounds).toHaveLength(2);
    h.rounds[1]!.finish();
    await expect(b).resolves.toBeUndefined();
  });
});
