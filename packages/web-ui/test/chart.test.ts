import {
  axisTicks,
  barLayout,
  bucketLabel,
  chartMax,
  linearScale,
  linePath,
  linePoints,
  niceCeiling,
  successRatio,
  ticks,
  type Box,
} from '../src/ui/lib/chart.js';

const BOX: Box = { width: 120, height: 110, padding: { top: 10, right: 10, bottom: 20, left: 10 } };

describe('chart scaling', () => {
  it('maps a domain onto a range, inverted for SVG y', () => {
    const y = linearScale([0, 100], [90, 10]);
    expect(y(0)).toBe(90);
    expect(y(100)).toBe(10);
    expect(y(50)).toBe(50);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(0);
  });

  it('rounds the axis maximum up to a readable value', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(13)).toBe(20);
    expect(niceCeiling(21)).toBe(25);
    expect(niceCeiling(380)).toBe(500);
    expect(niceCeiling(100)).toBe(100);
    expect(chartMax([[1, null, 42], [7]])).toBe(50);
    expect(ticks(100, 4)).toEqual([0, 25, 50, 75, 100]);
    // Counts below 4 get one tick per unit, never fractions of a delivery.
    expect(axisTicks(1, true)).toEqual([0, 1]);
    expect(axisTicks(2, true)).toEqual([0, 1, 2]);
    expect(axisTicks(1, false)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(axisTicks(50, true)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(axisTicks(2.5, true)).toEqual([0, 1, 2, 3]);
  });

  it('lays bars out in equal slots, heights proportional to the value, clamped to the axis', () => {
    const { bars, max } = barLayout([0, 50, 100, 150], BOX, { max: 100, gap: 0 });
    expect(max).toBe(100);
    expect(bars.map((b) => b.x)).toEqual([10, 35, 60, 85]);
    expect(bars.map((b) => b.width)).toEqual([25, 25, 25, 25]);
    expect(bars.map((b) => b.height)).toEqual([0, 40, 80, 80]);
    expect(bars[2]!.y).toBe(10);
  });

  it('draws a line through slot centres and breaks it where a value is missing', () => {
    expect(linePath([0, 100, null, 50], BOX, 100)).toBe('M22.5 90L47.5 10M97.5 50');
    expect(linePath([null, null], BOX, 100)).toBe('');
    // A lone value draws no line segment, so it is also a dot.
    expect(linePoints([null, 50, null, null], BOX, 100)).toEqual([{ x: 47.5, y: 50 }]);
  });

  it('success ratio of a bucket is unknown without attempts, not zero', () => {
    expect(successRatio({ attempts: 0, succeeded: 0 })).toBeNull();
    expect(successRatio({ attempts: 4, succeeded: 3 })).toBe(0.75);
  });

  it('labels buckets in local time', () => {
    const d = new Date(2026, 11, 5, 14, 30);
    expect(bucketLabel(d.toISOString(), 'hour')).toBe('14:00');
    expect(bucketLabel(d.toISOString(), 'minute')).toBe('14:30');
  });
});
