import { spawnSync } from 'node:child_process';
import { APP_NODE_FLAGS, MATCHER_NODE_FLAGS, nodeFlagsOf } from '../src/lifecycle/node-flags.js';

// The flags are passed on the command line (start script, test kit) and in NODE_OPTIONS (the
// Dockerfile): Node refuses an unknown flag, or one not allowed in NODE_OPTIONS, at start.
function run(args: string[], nodeOptions: string) {
  return spawnSync(process.execPath, [...args, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } });
}

describe.each([
  ['APP_NODE_FLAGS', APP_NODE_FLAGS],
  ['MATCHER_NODE_FLAGS', MATCHER_NODE_FLAGS],
])('%s', (_name, flags) => {
  it('are accepted on the command line', () => {
    const r = run([...flags], '');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });

  it('are accepted in NODE_OPTIONS', () => {
    const r = run([], flags.join(' '));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });
});

describe('nodeFlagsOf', () => {
  it("gives the matcher its own flags and every other app the apps' flags", () => {
    expect(nodeFlagsOf('matcher')).toBe(MATCHER_NODE_FLAGS);
    expect(nodeFlagsOf('gateway')).toBe(APP_NODE_FLAGS);
    expect(nodeFlagsOf('delivery-worker')).toBe(APP_NODE_FLAGS);
    expect(MATCHER_NODE_FLAGS).not.toEqual(APP_NODE_FLAGS);
  });
});

describe('the flag checks', () => {
  it('would catch a misspelt flag (the checks above can fail)', () => {
    expect(run([], '--max-semi-space-sise=32').status).not.toBe(0);
  });
});
