import {
  formatCount,
  formatDuration,
  formatPercent,
  formatRelative,
  httpStatusTone,
  isoToLocalInput,
  localInputToIso,
  prettyJson,
  shortId,
  statusTone,
} from '../src/ui/lib/format.js';

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(38.4)).toBe('38 ms');
    expect(formatDuration(1250)).toBe('1.25 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(null)).toBe('—');
  });

  it('percentages and counts', () => {
    expect(formatPercent(0.995)).toBe('99.5 %');
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatCount(12345)).toBe('12\u202f345');
    expect(formatCount(999)).toBe('999');
  });

  it('relative times, past and future', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    expect(formatRelative('2026-12-05T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-12-05T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2026-12-05T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2026-12-03T12:00:00Z', now)).toBe('2 d ago');
    expect(formatRelative('2026-12-05T12:04:00Z', now)).toBe('in 4 min');
  });

  it('status colours', () => {
    expect(statusTone('delivered')).toBe('ok');
    expect(statusTone('retrying')).toBe('warn');
    expect(statusTone('discarded')).toBe('bad');
    expect(statusTone('skipped')).toBe('muted');
    expect(httpStatusTone(204)).toBe('ok');
    expect(httpStatusTone(503)).toBe('bad');
    expect(httpStatusTone(null)).toBe('muted');
  });

  it('datetime-local values round-trip to RFC 3339 instants', () => {
    const iso = localInputToIso('2026-12-05T21:04');
    expect(iso).toMatch(/^2026-12-0[56]T\d{2}:04:00\.000Z$/);
    expect(isoToLocalInput(iso!)).toBe('2026-12-05T21:04');
    expect(localInputToIso('')).toBeUndefined();
    expect(localInputToIso('not a date')).toBeUndefined();
  });

  it('short ids and JSON', () => {
    expect(shortId('5f1c9a2e-1111-4000-8000-00000000e21b')).toBe('5f1c9a…e21b');
    expect(shortId('abc')).toBe('abc');
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('plain text')).toBe('plain text');
  });
});
