import { cpuBudget, percentOfCore } from '../src/cpu-budget.js';
import { cpuUsed, msPerEvent, type CpuSnapshot } from '../src/cpu-meter.js';

describe('cpuBudget', () => {
  it('divides the cores by the summed CPU per event and gives each process its share, largest first', () => {
    const b = cpuBudget({ gateway: 0.25, matcher: 0.25, 'delivery-worker': 1, kafka: 0.5 }, 2);
    expect(b.total_ms_per_event).toBe(2);
    expect(b.events_per_s).toBe(1000); // 2 cores × 1000 ms / 2 ms per event
    expect(Object.keys(b.shares)).toEqual(['delivery-worker', 'kafka', 'gateway', 'matcher']);
    expect(b.shares).toEqual({ 'delivery-worker': 0.5, kafka: 0.25, gateway: 0.125, matcher: 0.125 });
    expect(b.missing).toEqual([]);
  });

  it('names the processes without a figure instead of counting them as free', () => {
    const b = cpuBudget({ gateway: 0.5, kafka: undefined, postgresql: NaN }, 1);
    expect(b.total_ms_per_event).toBe(0.5);
    expect(b.events_per_s).toBe(2000);
    expect(b.missing).toEqual(['kafka', 'postgresql']);
    expect(Object.keys(b.shares)).toEqual(['gateway']);
  });

  it('has no budget when nothing was measured', () => {
    expect(cpuBudget({}, 2).events_per_s).toBeNaN();
  });

  it('refuses a core count that is not a positive integer', () => {
    expect(() => cpuBudget({ gateway: 1 }, 0)).toThrow('cpuBudget: cores must be a positive integer, got 0');
    expect(() => cpuBudget({ gateway: 1 }, 1.5)).toThrow(/got 1.5/);
  });
});

describe('percentOfCore', () => {
  it('is CPU seconds over wall seconds, in percent of one core', () => {
    expect(percentOfCore(0.3, 30)).toBe(1);
    expect(percentOfCore(45, 30)).toBe(150); // more than one core's worth
  });

  it('refuses an empty span', () => {
    expect(() => percentOfCore(1, 0)).toThrow('percentOfCore: wall time must be positive, got 0');
  });
});

describe('msPerEvent', () => {
  it('turns CPU seconds into ms per delivered event, unknown where the CPU or the count is', () => {
    expect(msPerEvent({ gateway: 1.5, kafka: undefined }, 3000)).toEqual({ gateway: 0.5, kafka: undefined });
    expect(msPerEvent({ gateway: 1.5 }, 0)).toEqual({ gateway: undefined });
  });
});

describe('cpuUsed', () => {
  const snapshot = (atMs: number, gateway: number | undefined, pg: [number, number][], broker: number | undefined, benchUs: number): CpuSnapshot => ({
    atMs,
    apps: { gateway },
    pg: new Map(pg),
    broker,
    bench: { user: benchUs, system: benchUs },
  });

  it('charges each process what it used between the snapshots, counting PostgreSQL backends that started in between', () => {
    const used = cpuUsed(
      snapshot(1000, 10, [[7, 1]], 100, 1e6),
      snapshot(
        3000,
        12.5,
        [
          [7, 1.5],
          [8, 0.25],
        ],
        101,
        2e6,
      ),
    );
    expect(used.wallS).toBe(2);
    expect(used.seconds).toEqual({ gateway: 2.5, postgresql: 0.75, kafka: 1, 'bench (publisher + receiver)': 2 });
  });

  it('leaves a process unknown when either snapshot could not read it', () => {
    const used = cpuUsed(snapshot(0, undefined, [], undefined, 0), snapshot(1000, 3, [], 5, 0));
    expect(used.seconds.gateway).toBeUndefined();
    expect(used.seconds.kafka).toBeUndefined();
  });
});
