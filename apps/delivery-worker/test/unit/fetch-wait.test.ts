import { FetchWait } from '../../src/consume/fetch-wait.js';

const idle = { busy: false };

describe('FetchWait', () => {
  it('starts at the base wait and doubles it, fetch after idle fetch, up to the idle maximum', () => {
    const wait = new FetchWait({ baseMs: 200, idleMaxMs: 1000 });
    expect(wait.next(idle)).toBe(400);
    expect(wait.next(idle)).toBe(800);
    expect(wait.next(idle)).toBe(1000);
    expect(wait.next(idle)).toBe(1000);
  });

  it('snaps back to the base wait for the fetch after records arrived or a partition was resumed', () => {
    const wait = new FetchWait({ baseMs: 200, idleMaxMs: 1000 });
    wait.next(idle);
    wait.next(idle);
    wait.wake();
    expect(wait.next(idle)).toBe(200);
    expect(wait.next(idle)).toBe(400);
  });

  it('keeps the base wait while jobs are in flight (a saturated partition may be resumed any moment)', () => {
    const wait = new FetchWait({ baseMs: 200, idleMaxMs: 1000 });
    wait.next(idle);
    expect(wait.next({ busy: true })).toBe(200);
    expect(wait.next({ busy: true })).toBe(200);
    expect(wait.next(idle)).toBe(400);
  });

  it('never waits past the moment a held partition is resumed, nor less than the base wait', () => {
    const wait = new FetchWait({ baseMs: 200, idleMaxMs: 1000 });
    wait.next(idle);
    wait.next(idle);
    expect(wait.next({ busy: false, msUntilResume: 650 })).toBe(650);
    expect(wait.next({ busy: false, msUntilResume: 20 })).toBe(200);
    expect(wait.next({ busy: false, msUntilResume: 5000 })).toBe(1000);
  });

  it('waits only the saturated wait while a partition is paused for saturation, then the base again', () => {
    const wait = new FetchWait({ baseMs: 200, idleMaxMs: 1000, saturatedMs: 20 });
    wait.next(idle);
    expect(wait.next({ busy: true, saturated: true })).toBe(20);
    expect(wait.next({ busy: true, saturated: true, msUntilResume: 5000 })).toBe(20);
    expect(wait.next({ busy: true })).toBe(200);
    expect(wait.next(idle)).toBe(400);
    // Without a saturated wait of its own, the base applies.
    expect(new FetchWait({ baseMs: 200, idleMaxMs: 1000 }).next({ busy: true, saturated: true })).toBe(200);
  });

  it('never grows when the idle maximum is not above the base wait', () => {
    const wait = new FetchWait({ baseMs: 500, idleMaxMs: 100 });
    expect(wait.next(idle)).toBe(500);
    expect(wait.next(idle)).toBe(500);
  });
});
