import { errorLines } from '../src/error-lines.js';

const line = (level: number | string, msg: string) => JSON.stringify({ level, time: 1, name: 'matcher', msg });

describe('errorLines', () => {
  it('counts pino records at level error (50) and fatal (60), not below', () => {
    const out = errorLines([line(30, 'starting'), line(40, 'slow'), line(50, 'coordinator not available'), line(60, 'cannot start'), line(30, 'ready')]);
    expect(out.count).toBe(2);
    expect(out.first).toEqual([line(50, 'coordinator not available'), line(60, 'cannot start')]);
  });

  it("counts the labels service-kit's logger prints (error, fatal), not the others", () => {
    const out = errorLines([
      line('info', 'starting'),
      line('warn', 'slow'),
      line('error', 'coordinator not available'),
      line('fatal', 'cannot start'),
      line('debug', 'x'),
    ]);
    expect(out.count).toBe(2);
    expect(out.first).toEqual([line('error', 'coordinator not available'), line('fatal', 'cannot start')]);
  });

  it('ignores what is not a log record: plain text, partial JSON, an unknown level', () => {
    const out = errorLines(['(node:1) Warning: something', '{"level":"error","msg":"cut', JSON.stringify({ level: 'ERROR!', msg: 'x' }), 'level 50', '']);
    expect(out).toEqual({ count: 0, first: [] });
  });

  it('quotes only the first lines, each cut to a readable length', () => {
    const long = line(50, 'x'.repeat(1000));
    const out = errorLines([long, line(50, 'b'), line(50, 'c'), line(50, 'd')], 2);
    expect(out.count).toBe(4);
    expect(out.first).toHaveLength(2);
    expect(out.first[0]!.length).toBe(401);
    expect(out.first[0]!.endsWith('…')).toBe(true);
    expect(out.first[1]).toBe(line(50, 'b'));
  });
});
