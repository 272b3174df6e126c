import { AuthFailureThrottle } from '../../src/auth/auth-throttle.js';
import { LastUsedRecorder } from '../../src/auth/last-used.js';

describe('failed authentication throttle (per client address)', () => {
  it('refuses an address after the limit of failures within the window, with the seconds until it ends', () => {
    let now = 0;
    const throttle = new AuthFailureThrottle({ limit: 20, windowMs: 10_000, maxAddresses: 100, now: () => now });
    for (let i = 0; i < 20; i++) {
      expect(throttle.check('10.0.0.1')).toEqual({ ok: true });
      throttle.failed('10.0.0.1');
      now += 100;
    }
    expect(throttle.check('10.0.0.1')).toEqual({ ok: false, retryAfterS: 8 });
    expect(throttle.check('10.0.0.2')).toEqual({ ok: true });
    now = 10_000;
    expect(throttle.check('10.0.0.1')).toEqual({ ok: true });
  });

  it('forgets failures older than the window: 20 spread over more than 10 s never block', () => {
    let now = 0;
    const throttle = new AuthFailureThrottle({ limit: 20, windowMs: 10_000, maxAddresses: 100, now: () => now });
    for (let i = 0; i < 40; i++) {
      expect(throttle.check('10.0.0.1').ok).toBe(true);
      throttle.failed('10.0.0.1');
      now += 600;
    }
  });

  it('keeps at most maxAddresses, evicting the least recently seen', () => {
    const now = 0;
    const throttle = new AuthFailureThrottle({ limit: 2, windowMs: 10_000, maxAddresses: 3, now: () => now });
    throttle.failed('a');
    throttle.failed('a');
    for (let i = 0; i < 1000; i++) throttle.failed(`other-${i}`);
    expect(throttle.size).toBe(3);
    throttle.failed('b');
    throttle.failed('b');
    expect(throttle.check('b').ok).toBe(false);
  });
});

describe('last use of API keys', () => {
  it('notes a key at most once per period and writes the noted uses in one batch', async () => {
    let now = 0;
    const writes: [string, number][][] = [];
    const recorder = new LastUsedRecorder(
      async (uses) => void writes.push([...uses].map(([id, at]) => [id, at.getTime()])),
      60_000,
      () => now,
    );
    for (let i = 0; i < 1000; i++) {
      recorder.use('a');
      recorder.use('b');
      now += 10;
    }
    await recorder.flush();
    await recorder.flush();
    expect(writes).toEqual([
      [
        ['a', 0],
        ['b', 0],
      ],
    ]);
    now = 60_000;
    recorder.use('a');
    await recorder.flush();
    expect(writes[1]).toEqual([['a', 60_000]]);
  });
});
