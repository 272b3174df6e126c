import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The child runs the built module (the test task depends on the build).
const heapGrowth = fileURLToPath(new URL('../dist/lifecycle/heap-growth.js', import.meta.url));

/**
 * Mark-compacts of a process that keeps a flat live set of 400 000 objects while replacing them
 * (so they are promoted and die in the old generation), after setHeapGrowing(percent).
 */
function markCompacts(percent: number): number {
  const script = `
    const { setHeapGrowing } = await import(${JSON.stringify(heapGrowth)});
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    setHeapGrowing(${percent});
    let majors = 0;
    const count = (entries) => { for (const e of entries) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; };
    const observer = new PerformanceObserver((list) => count(list.getEntries()));
    observer.observe({ entryTypes: ['gc'] });
    const keep = [];
    for (let round = 0; round < 120; round++) {
      for (let i = 0; i < 50000; i++) keep.push({ i, round });
      if (keep.length > 400000) keep.splice(0, 50000);
    }
    // GC entries reach the observer through a later task: let them arrive, then take what is left.
    await new Promise((resolve) => setTimeout(resolve, 100));
    count(observer.takeRecords());
    process.stdout.write(String(majors));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  expect(r.stderr).toBe('');
  return Number(r.stdout);
}

describe('setHeapGrowing', () => {
  it("sets the old generation's growth at run time: a tight factor collects it more often than a wide one", () => {
    const tight = markCompacts(10);
    const wide = markCompacts(200);
    expect(wide).toBeGreaterThan(0);
    expect(tight).toBeGreaterThan(wide);
  });
});
