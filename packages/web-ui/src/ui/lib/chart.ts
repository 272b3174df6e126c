/**
 * The geometry of the hand-drawn SVG charts (success rate and latency per hour, delivery rate per
 * minute): pure functions from data to coordinates, unit-tested, so the components only draw.
 */

export interface Box {
  width: number;
  height: number;
  /** Space kept free for axis labels. */
  padding: { top: number; right: number; bottom: number; left: number };
}

/** A function mapping `[d0, d1]` onto `[r0, r1]` linearly (a zero-width domain maps to r0). */
export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): (v: number) => number {
  const span = d1 - d0;
  return (v) => (span === 0 ? r0 : r0 + ((v - d0) / span) * (r1 - r0));
}

/** The smallest "round" number (1, 2, 2.5 or 5 × 10^k) at least `v`, so axes end on a readable value. */
export function niceCeiling(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return 1;
  const exp = Math.floor(Math.log10(v));
  const base = 10 ** exp;
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= v - 1e-9) return m * base;
  return 10 * base;
}

/** The ticks of a y axis from 0 to `max`: four intervals, or one per unit for small counts (no "0.25 deliveries"). */
export function axisTicks(max: number, integer = false): number[] {
  if (!integer) return ticks(max, 4);
  const top = Math.max(1, Math.ceil(max));
  if (top <= 4) return ticks(top, top);
  return ticks(top, [4, 5, 2, 3].find((c) => Number.isInteger(top / c)) ?? 4);
}

/** `count` evenly spaced ticks from 0 to `max` inclusive. */
export function ticks(max: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (max / count) * i);
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bars for values in equal slots across the plot area; a slot keeps `gap` (0..1) of its width free.
 * Values are clamped at 0; the y axis runs from 0 to `max` (default: the nice ceiling of the data).
 */
export function barLayout(values: readonly number[], box: Box, opts: { max?: number; gap?: number } = {}): { bars: Bar[]; max: number } {
  const { width, height, padding: p } = box;
  const max = opts.max ?? niceCeiling(Math.max(0, ...values));
  const plotW = width - p.left - p.right;
  const slot = values.length > 0 ? plotW / values.length : 0;
  const barW = slot * (1 - (opts.gap ?? 0.2));
  const y = linearScale([0, max], [height - p.bottom, p.top]);
  const bars = values.map((v, i) => {
    const top = y(Math.min(Math.max(0, v), max));
    return { x: p.left + i * slot + (slot - barW) / 2, y: top, width: barW, height: height - p.bottom - top };
  });
  return { bars, max };
}

/**
 * An SVG path through the points of a series, one per slot centre; a null value breaks the line
 * (an hour without attempts has no latency).
 */
export function linePath(values: readonly (number | null)[], box: Box, max: number): string {
  const { width, height, padding: p } = box;
  const plotW = width - p.left - p.right;
  const slot = values.length > 0 ? plotW / values.length : 0;
  const y = linearScale([0, max], [height - p.bottom, p.top]);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v == null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = p.left + i * slot + slot / 2;
    d += `${pen ? 'L' : 'M'}${round(x)} ${round(y(Math.min(Math.max(0, v), max)))}`;
    pen = true;
  });
  return d;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The points of a series (slot centres), null values left out: drawn as dots, so a lone value still shows. */
export function linePoints(values: readonly (number | null)[], box: Box, max: number): { x: number; y: number }[] {
  const { width, height, padding: p } = box;
  const slot = values.length > 0 ? (width - p.left - p.right) / values.length : 0;
  const y = linearScale([0, max], [height - p.bottom, p.top]);
  const points: { x: number; y: number }[] = [];
  values.forEach((v, i) => {
    if (v != null && Number.isFinite(v)) points.push({ x: round(p.left + i * slot + slot / 2), y: round(y(Math.min(Math.max(0, v), max))) });
  });
  return points;
}

/** The success ratio of one bucket (null when it had no attempts, so the chart shows a gap, not 0 %). */
export function successRatio(b: { attempts: number; succeeded: number }): number | null {
  return b.attempts > 0 ? b.succeeded / b.attempts : null;
}

/** The y axis maximum for several series: a round value at or above every finite value (1 for no data). */
export function chartMax(series: readonly (readonly (number | null)[])[]): number {
  let top = 0;
  for (const s of series) for (const v of s) if (v != null && Number.isFinite(v) && v > top) top = v;
  return niceCeiling(top);
}

/** `HH:00` of an hourly bucket, `HH:MM` of a minute bucket, in the reader's time zone. */
export function bucketLabel(iso: string, unit: 'hour' | 'minute'): string {
  const d = new Date(iso);
  const hh = String(d.getHours()).padStart(2, '0');
  return unit === 'hour' ? `${hh}:00` : `${hh}:${String(d.getMinutes()).padStart(2, '0')}`;
}
