import { statsOf } from '../../src/deliveries/delivery-stats.js';
import { decodeCursor, encodeCursor } from '../../src/operations/dead-letter-console.js';

const HOUR = 3_600_000;

describe('the shapes the portal and the console read (issue 20)', () => {
  it('a webhook window has one bucket per hour, empty hours filled, and the success rate of the whole window', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const stats = statsOf(
      [
        { start: new Date(from + HOUR), attempts: 4, succeeded: 3, failed: 1, p50_ms: 20, p95_ms: 90 },
        { start: new Date(from + 3 * HOUR), attempts: 1, succeeded: 0, failed: 1, p50_ms: 5, p95_ms: 5 },
      ],
      from,
      from + 4 * HOUR,
    );
    expect(stats.buckets.map((b) => [b.start, b.attempts, b.p50_ms])).toEqual([
      ['2026-01-01T00:00:00.000Z', 0, null],
      ['2026-01-01T01:00:00.000Z', 4, 20],
      ['2026-01-01T02:00:00.000Z', 0, null],
      ['2026-01-01T03:00:00.000Z', 1, 5],
    ]);
    expect(stats).toMatchObject({ attempts: 5, success_rate: 0.6, from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T04:00:00.000Z' });
    expect(statsOf([], from, from + HOUR).success_rate).toBeNull();
  });

  it('a dead-letter cursor reads back the position it was made from; anything else is no cursor', () => {
    const at = { finished_key: '2026-01-05 11:00:00.123456+00', id: '9b1e6f2a-4c3d-5e8f-a7b6-0c1d2e3f4a5b' };
    expect(decodeCursor(encodeCursor(at))).toEqual(at);
    expect(decodeCursor('nope')).toBeUndefined();
    expect(decodeCursor(Buffer.from(JSON.stringify(['yesterday', at.id])).toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from(JSON.stringify([at.finished_key, 'x'])).toString('base64url'))).toBeUndefined();
  });
});
