import { machineSpeed } from '../src/machine-speed.js';

describe('machineSpeed', () => {
  it('measures a system call, a page fault and a loop iteration as positive, finite times', () => {
    const speed = machineSpeed({ rounds: 1, fraction: 0.01 });
    expect(Object.keys(speed).sort()).toEqual(['js_loop_ns', 'page_fault_us', 'syscall_us']);
    for (const value of Object.values(speed)) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThan(0);
    }
    // A fresh page costs the kernel at least a page of zeroing: far more than one loop iteration.
    expect(speed.page_fault_us * 1000).toBeGreaterThan(speed.js_loop_ns);
  });
});
