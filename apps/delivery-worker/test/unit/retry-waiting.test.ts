import { RETRY_TIER_MS } from '@hookstream/service-kit';
import { IN_MEMORY_WAIT_MS, RESUME_LEAD_MS, tierStep } from '../../src/retry/retry-schedule.js';
import { PartitionRevoked, WaitingRoom } from '../../src/retry/waiting-room.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('what a job read from a tier waits for', () => {
  const now = 1_000_000;

  it('waits in memory for its due time when it is within reach, skipping the tier hop', () => {
    // A 2 s retry on the 1 s tier: due before the in-memory reach ends, so no hop through the tier again.
    expect(tierStep('1s', now, now + 2000, now)).toEqual({ waitUntil: now + 2000 });
    expect(tierStep('5s', now - 4000, now + 300, now)).toEqual({ waitUntil: now + 300 });
  });

  it('runs at once what is already due', () => {
    expect(tierStep('1s', now - 5000, now - 10, now)).toEqual({ waitUntil: now - 10 });
    // A job without a due time is due when enqueued.
    expect(tierStep('1s', now - 5000, undefined, now)).toEqual({ waitUntil: now - 5000 });
  });

  it("waits in memory for its tier's delay to run out when due later, then hops", () => {
    const enqueued = now - 26_000;
    expect(tierStep('30s', enqueued, now + 60_000, now)).toEqual({ waitUntil: enqueued + RETRY_TIER_MS['30s'] });
  });

  it('waits in memory as long as configured', () => {
    expect(tierStep('30s', now, now + 12_000, now)).toEqual({ pauseUntil: now + 12_000 - RESUME_LEAD_MS });
    expect(tierStep('30s', now, now + 12_000, now, 15_000)).toEqual({ waitUntil: now + 12_000 });
  });

  it('pauses the partition for long waits, resuming early enough to refetch before the time comes', () => {
    const step = tierStep('10m', now, now + 3_600_000, now);
    expect(step).toEqual({ pauseUntil: now + RETRY_TIER_MS['10m'] - RESUME_LEAD_MS });
    // Read again at the resume time, the rest of the wait is in memory.
    const again = tierStep('10m', now, now + 3_600_000, now + RETRY_TIER_MS['10m'] - RESUME_LEAD_MS);
    expect(again).toEqual({ waitUntil: now + RETRY_TIER_MS['10m'] });
    expect(RESUME_LEAD_MS).toBeLessThan(IN_MEMORY_WAIT_MS);
  });
});

describe('WaitingRoom', () => {
  it('releases each job at its time and counts those waiting', async () => {
    const room = new WaitingRoom();
    const released: string[] = [];
    const t0 = Date.now();
    void room.until(t0 + 40, 'p0').then(() => released.push('b'));
    void room.until(t0 + 10, 'p0').then(() => released.push('a'));
    expect(room.waiting).toBe(2);
    await tick(25);
    expect(released).toEqual(['a']);
    await tick(40);
    expect(released).toEqual(['a', 'b']);
    expect(room.waiting).toBe(0);
  });

  it('on close, starts nothing more and counts what it abandoned (Kafka redelivers those)', async () => {
    const room = new WaitingRoom();
    let started = 0;
    void room.until(Date.now() + 20, 'p0').then(() => started++);
    void room.until(Date.now() + 30, 'p1').then(() => started++);
    room.close();
    void room.until(Date.now(), 'p0').then(() => started++);
    await tick(60);
    expect(started).toBe(0);
    expect(room.abandoned).toBe(3);
    expect(room.waiting).toBe(0);
  });

  it('holds what comes due during a rebalance, then drops the jobs of lost partitions and releases the rest', async () => {
    const room = new WaitingRoom();
    const outcome: Record<string, string> = {};
    const t0 = Date.now();
    const track = (name: string, p: Promise<void>) =>
      p.then(
        () => (outcome[name] = 'sent'),
        (e: Error) => (outcome[name] = e instanceof PartitionRevoked ? 'revoked' : 'error'),
      );
    void track('kept-due', room.until(t0 + 10, 'p0'));
    void track('lost-due', room.until(t0 + 10, 'p1'));
    void track('kept-later', room.until(t0 + 80, 'p0'));
    void track('lost-later', room.until(t0 + 80, 'p1'));
    room.rebalancing();
    await tick(30);
    // Due, but partitions may be moving: nothing goes out yet.
    expect(outcome).toEqual({});
    expect(room.waiting).toBe(4);
    expect(room.assigned(new Set(['p0']))).toBe(2);
    await tick(5);
    expect(outcome).toEqual({ 'kept-due': 'sent', 'lost-due': 'revoked', 'lost-later': 'revoked' });
    await tick(80);
    expect(outcome['kept-later']).toBe('sent');
    expect(room.revoked).toBe(2);
    expect(room.waiting).toBe(0);
  });

  it('a join without a rebalance first (the first assignment) lets every job of an assigned partition go on', async () => {
    const room = new WaitingRoom();
    let sent = 0;
    void room.until(Date.now() + 5, 'p0').then(() => sent++);
    expect(room.assigned(new Set(['p0', 'p1']))).toBe(0);
    await tick(30);
    expect(sent).toBe(1);
  });
});
