import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { idleCost } from '../src/idle.js';

describe('idleCost', () => {
  it('reports the settle after a load apart from the idle phase that follows it', async () => {
    // A process that works through the first 700 ms, then waits: its work lands in the settle only.
    const child = spawn(
      process.execPath,
      ['-e', 'const end = Date.now() + 700; while (Date.now() < end); process.stdout.write("done\\n"); setTimeout(() => {}, 60000);'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const idle = await idleCost({ apps: { busy: child.pid }, pgBackends: async () => [], brokerPids: [] }, 1, 1500);
      expect(idle.seconds).toBe(1);
      expect(idle.after_load.seconds).toBeGreaterThanOrEqual(1.5);
      const settled = idle.after_load.cpu_percent_of_core.busy!;
      const after = idle.cpu_percent_of_core.busy!;
      expect(settled).toBeGreaterThan(10);
      expect(after).toBeLessThan(settled / 2);
      expect(idle.cpu_percent_of_core).toHaveProperty('postgresql');
    } finally {
      child.kill();
      await once(child, 'exit');
    }
  });
});
