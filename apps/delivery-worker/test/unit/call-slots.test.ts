import { CallSlots } from '../../src/dispatch/call-slots.js';
import { ConcurrencyGovernor, nextLimit, SATURATED_ELU } from '../../src/dispatch/concurrency-governor.js';
import { WebhookLane } from '../../src/dispatch/webhook-lane.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CallSlots', () => {
  it('wakes lanes with a retry waiting before the others, then in arrival order', () => {
    const slots = new CallSlots(1);
    expect(slots.tryTake()).toBe(true);
    expect(slots.tryTake()).toBe(false);
    const woken: string[] = [];
    const lane = (name: string) => () => {
      woken.push(name);
      slots.tryTake();
    };
    const a = lane('a');
    const b = lane('b');
    const c = lane('c');
    slots.wait(a, false);
    slots.wait(b, false);
    slots.wait(c, true);
    slots.release();
    expect(woken).toEqual(['c']);
    slots.release();
    expect(woken).toEqual(['c', 'a']);
    slots.release();
    expect(woken).toEqual(['c', 'a', 'b']);
    expect(slots.inUse).toBe(1);
  });

  it('keeps waking when a woken lane no longer wants the slot', () => {
    const slots = new CallSlots(1);
    slots.tryTake();
    const woken: string[] = [];
    slots.wait(() => woken.push('idle'), false);
    slots.wait(() => {
      woken.push('busy');
      slots.tryTake();
    }, false);
    slots.release();
    expect(woken).toEqual(['idle', 'busy']);
    expect(slots.inUse).toBe(1);
  });
});

describe('lanes sharing the worker-wide slots', () => {
  it('never runs more calls than the slots allow, across lanes', async () => {
    const slots = new CallSlots(4);
    let running = 0;
    let peak = 0;
    let done = 0;
    const call = async (items: number[]) => {
      running++;
      peak = Math.max(peak, running);
      await tick(5);
      running--;
      done += items.length;
    };
    const lanes = Array.from(
      { length: 5 },
      () =>
        new WebhookLane<number>(
          { maxInFlight: 10, batchSize: 1, batchWaitMs: 0 },
          call,
          () => undefined,
          () => true,
          slots,
        ),
    );
    for (let i = 0; i < 50; i++) lanes[i % 5]!.submit(i);
    while (done < 50) await tick(5);
    expect(peak).toBe(4);
    expect(slots.inUse).toBe(0);
  });

  it('sends a waiting retry before first attempts queued earlier', async () => {
    const slots = new CallSlots(1);
    const order: string[] = [];
    const lane = new WebhookLane<string>(
      { maxInFlight: 10, batchSize: 1, batchWaitMs: 0 },
      async ([name]) => {
        order.push(name!);
        await tick(2);
      },
      () => undefined,
      () => true,
      slots,
    );
    lane.submit('first-1');
    lane.submit('first-2');
    lane.submit('first-3');
    lane.submit('retry', true);
    while (order.length < 4) await tick(5);
    // first-1 had already started when the retry arrived.
    expect(order).toEqual(['first-1', 'retry', 'first-2', 'first-3']);
  });
});

describe('the adaptive call limit', () => {
  const bounds = { min: 32, max: 512 };

  it('shrinks while the process is saturated, down to the minimum', () => {
    expect(nextLimit(100, 0.99, 50, bounds)).toBe(80);
    expect(nextLimit(100, SATURATED_ELU, 0, bounds)).toBe(80);
    expect(nextLimit(33, 1, 50, bounds)).toBe(32);
    expect(nextLimit(32, 1, 50, bounds)).toBe(32);
  });

  it('grows while calls wait and the process has room, up to the maximum', () => {
    expect(nextLimit(32, 0.3, 5, bounds)).toBe(40);
    expect(nextLimit(500, 0.1, 5, bounds)).toBe(512);
  });

  it('holds when nothing waits for a slot, or between room and saturation', () => {
    expect(nextLimit(64, 0.3, 0, bounds)).toBe(64);
    expect(nextLimit(64, 0.9, 10, bounds)).toBe(64);
  });

  it('wakes waiting lanes when the limit rises; a lower limit lets running calls finish', () => {
    const slots = new CallSlots(1);
    slots.tryTake();
    let woken = 0;
    slots.wait(() => {
      woken++;
      slots.tryTake();
    }, false);
    slots.setLimit(2);
    expect(woken).toBe(1);
    expect(slots.inUse).toBe(2);
    slots.setLimit(1);
    expect(slots.inUse).toBe(2);
    expect(slots.tryTake()).toBe(false);
    slots.release();
    expect(slots.tryTake()).toBe(false);
    slots.release();
    expect(slots.tryTake()).toBe(true);
  });

  it('samples only while calls are in flight or waiting, and wakes with the next call', async () => {
    const slots = new CallSlots(1);
    const limits: number[] = [];
    const governor = new ConcurrencyGovernor(slots, { min: 1, max: 8 }, (limit) => limits.push(limit), 10);
    governor.start();
    try {
      expect(governor.sampling).toBe(true);
      await new Promise((r) => setTimeout(r, 40));
      expect(governor.sampling).toBe(false);
      // A call and a lane waiting behind it on an idle process: sampling resumes and the limit grows.
      expect(slots.tryTake()).toBe(true);
      slots.wait(() => undefined, false);
      expect(governor.sampling).toBe(true);
      while (limits.length === 0) await new Promise((r) => setTimeout(r, 10));
      expect(limits[0]).toBe(2);
      expect(slots.limit).toBe(2);
      // The release wakes the waiting lane, which takes nothing here.
      slots.release();
      await new Promise((r) => setTimeout(r, 40));
      expect(governor.sampling).toBe(false);
      governor.stop();
      slots.tryTake();
      expect(governor.sampling).toBe(false);
    } finally {
      governor.stop();
    }
  });
});
