import type { RetentionResult } from '@hookstream/store';
import { startHousekeeping } from '../../src/schedules/housekeeping.js';
import { startRateDemandSync } from '../../src/schedules/rate-demand-sync.js';
import { repeat, type IntervalTimers } from '../../src/schedules/repeat.js';
import { startRetentionSchedule } from '../../src/schedules/retention-schedule.js';

/** A manual clock: `tick()` fires every running interval once, as if its period had passed. */
class FakeTimers implements IntervalTimers {
  readonly running = new Map<number, { run: () => void; ms: number }>();
  private next = 1;
  setInterval(run: () => void, ms: number): unknown {
    const id = this.next++;
    this.running.set(id, { run, ms });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.running.delete(handle as number);
  }
  async tick(): Promise<void> {
    for (const t of [...this.running.values()]) t.run();
    // Lets the runs' promise chains (and their failure handlers) settle.
    await new Promise((r) => setImmediate(r));
  }
}

class LogRecorder {
  readonly lines: { level: 'info' | 'warn'; obj: unknown; msg: string }[] = [];
  info(obj: unknown, msg?: string) {
    this.lines.push({ level: 'info', obj, msg: msg ?? '' });
  }
  warn(obj: unknown, msg?: string) {
    this.lines.push({ level: 'warn', obj, msg: msg ?? '' });
  }
}
const asLogger = (l: LogRecorder) => l as unknown as Parameters<typeof startHousekeeping>[0]['logger'];

describe('repeat', () => {
  it('runs at the interval, reports sync throws and async rejections, keeps running, and stops', async () => {
    const timers = new FakeTimers();
    const failures: unknown[] = [];
    let runs = 0;
    const s = repeat(
      250,
      () => {
        runs++;
        if (runs === 2) throw new Error('sync boom');
        if (runs === 3) return Promise.reject(new Error('async boom'));
        return undefined;
      },
      (e) => failures.push((e as Error).message),
      timers,
    );
    expect([...timers.running.values()].map((t) => t.ms)).toEqual([250]);
    await timers.tick();
    await timers.tick();
    await timers.tick();
    await timers.tick();
    expect(runs).toBe(4);
    expect(failures).toEqual(['sync boom', 'async boom']);
    s.stop();
    expect(timers.running.size).toBe(0);
    await timers.tick();
    expect(runs).toBe(4);
  });
});

describe('housekeeping schedule', () => {
  it('sweeps the rate limiter and prunes dedup entries each interval, logging what was pruned', async () => {
    const timers = new FakeTimers();
    const log = new LogRecorder();
    let sweeps = 0;
    const pruned = [3, 0];
    const s = startHousekeeping(
      { rateLimiter: { sweep: () => void sweeps++ }, dedup: { prune: async () => pruned.shift() ?? 0 }, logger: asLogger(log) },
      60_000,
      timers,
    );
    expect([...timers.running.values()].map((t) => t.ms)).toEqual([60_000]);
    expect(sweeps).toBe(0);
    await timers.tick();
    await timers.tick();
    expect(sweeps).toBe(2);
    // Nothing pruned, nothing logged.
    expect(log.lines).toEqual([{ level: 'info', obj: { pruned: 3 }, msg: 'expired dedup entries pruned' }]);
    s.stop();
    await timers.tick();
    expect(sweeps).toBe(2);
  });

  it('prunes the claims of expired session tokens each interval, logging what was pruned (issue 20.1)', async () => {
    const timers = new FakeTimers();
    const log = new LogRecorder();
    const claims = [0, 7];
    const s = startHousekeeping(
      {
        rateLimiter: { sweep: () => undefined },
        dedup: { prune: async () => 0 },
        sessionTokens: { prune: async () => claims.shift() ?? 0 },
        logger: asLogger(log),
      },
      60_000,
      timers,
    );
    await timers.tick();
    expect(log.lines).toEqual([]);
    await timers.tick();
    expect(claims).toEqual([]);
    expect(log.lines).toEqual([{ level: 'info', obj: { pruned: 7 }, msg: 'expired session token claims pruned' }]);
    s.stop();
  });

  it('logs a failed pruning as a warning and tries again at the next interval', async () => {
    const timers = new FakeTimers();
    const log = new LogRecorder();
    let calls = 0;
    startHousekeeping(
      {
        rateLimiter: { sweep: () => undefined },
        dedup: {
          prune: async () => {
            if (++calls === 1) throw new Error('connection refused');
            return 1;
          },
        },
        logger: asLogger(log),
      },
      1000,
      timers,
    );
    await timers.tick();
    await timers.tick();
    expect(log.lines).toEqual([
      { level: 'warn', obj: { err: 'connection refused' }, msg: 'pruning dedup entries failed; will retry' },
      { level: 'info', obj: { pruned: 1 }, msg: 'expired dedup entries pruned' },
    ]);
  });
});

describe('audit retention schedule', () => {
  const result = (table: string, deleted: number): RetentionResult => ({ table, deleted, batches: 1, ms: 1 });

  it('prunes rows older than the retention period every interval and logs what it deleted', async () => {
    const timers = new FakeTimers();
    const log = new LogRecorder();
    const cutoffs: Date[] = [];
    const answers = [[result('deliveries', 4), result('events', 1)], [result('deliveries', 0)]];
    const now = Date.parse('2026-03-31T12:00:00Z');
    const s = startRetentionSchedule(
      {
        pruneExpired: async (olderThan) => {
          cutoffs.push(olderThan);
          return answers.shift() ?? [];
        },
        logger: asLogger(log),
        now: () => now,
      },
      30,
      3_600_000,
      timers,
    );
    expect([...timers.running.values()].map((t) => t.ms)).toEqual([3_600_000]);
    await timers.tick();
    await timers.tick();
    expect(cutoffs.map((d) => d.toISOString())).toEqual(['2026-03-01T12:00:00.000Z', '2026-03-01T12:00:00.000Z']);
    expect(log.lines).toEqual([{ level: 'info', obj: { results: [result('deliveries', 4), result('events', 1)] }, msg: 'expired audit rows pruned' }]);
    s.stop();
    expect(timers.running.size).toBe(0);
  });

  it('logs a failure without throwing and runs again', async () => {
    const timers = new FakeTimers();
    const log = new LogRecorder();
    let calls = 0;
    startRetentionSchedule(
      {
        pruneExpired: async () => {
          calls++;
          throw new Error('deadlock detected');
        },
        logger: asLogger(log),
      },
      7,
      1000,
      timers,
    );
    await timers.tick();
    await timers.tick();
    expect(calls).toBe(2);
    expect(log.lines).toEqual([
      { level: 'warn', obj: { err: 'deadlock detected' }, msg: 'audit retention failed; will retry' },
      { level: 'warn', obj: { err: 'deadlock detected' }, msg: 'audit retention failed; will retry' },
    ]);
  });

  it('schedules nothing when the history is kept forever (0 days)', () => {
    const timers = new FakeTimers();
    const s = startRetentionSchedule({ pruneExpired: async () => [], logger: asLogger(new LogRecorder()) }, 0, 1000, timers);
    expect(timers.running.size).toBe(0);
    s.stop();
  });
});

describe('rate demand sync schedule', () => {
  it('syncs every interval, logs an unexpected failure, and leaves the cluster when stopped', async () => {
    const timers = new FakeTimers();
    const log = new LogRecorder();
    const calls: string[] = [];
    const s = startRateDemandSync(
      {
        split: {
          sync: async () => {
            calls.push('sync');
            if (calls.length === 2) throw new Error('bug');
          },
          leave: async () => void calls.push('leave'),
        },
        logger: asLogger(log),
      },
      1000,
      timers,
    );
    expect([...timers.running.values()].map((t) => t.ms)).toEqual([1000]);
    await timers.tick();
    await timers.tick();
    await timers.tick();
    expect(calls).toEqual(['sync', 'sync', 'sync']);
    expect(log.lines).toEqual([{ level: 'warn', obj: { err: 'bug' }, msg: 'tenant rate limit split: sync failed; will retry' }]);
    await s.stop();
    expect(timers.running.size).toBe(0);
    expect(calls).toEqual(['sync', 'sync', 'sync', 'leave']);
  });

  it('stops even when leaving fails (PostgreSQL gone at shutdown)', async () => {
    const timers = new FakeTimers();
    const s = startRateDemandSync(
      {
        split: {
          sync: async () => undefined,
          leave: async () => {
            throw new Error('connection terminated');
          },
        },
        logger: asLogger(new LogRecorder()),
      },
      1000,
      timers,
    );
    await expect(s.stop()).resolves.toBeUndefined();
    expect(timers.running.size).toBe(0);
  });
});
