import { spawnSync } from 'node:child_process';
import { APP_NODE_FLAGS } from '../src/lifecycle/node-flags.js';

// The flags are passed on the command line (start script, test kit) and in NODE_OPTIONS (the
// Dockerfile): Node refuses an unknown flag, or one not allowed in NODE_OPTIONS, at start.
function run(args: string[], nodeOptions: string) {
  return spawnSync(process.execPath, [...args, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } });
}

describe('APP_NODE_FLAGS', () => {
  it('are accepted on the command line', () => {
    const r = run([...APP_NODE_FLAGS], '');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });

  it('are accepted in NODE_OPTIONS', () => {
    const r = run([], APP_NODE_FLAGS.join(' '));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });

  it('would be caught if misspelt (the checks above can fail)', () => {
    expect(run([], '--max-semi-space-sise=32').status).not.toBe(0);
  });
});
