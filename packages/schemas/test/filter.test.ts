import { describe, expect, it } from '@jest/globals';
import { checkFilter, compileFilter, FILTER_LIMITS, normalizeWebhookRequest, type FilterEvent } from '../src/index.js';

const event: FilterEvent = {
  type: 'replied-message',
  source: '/spots/s1',
  subject: 'conv-1',
  time: '2026-01-31T12:00:00Z',
  data: { comment: { state: 'approved', score: 7, tags: ['a', 'b'], note: null }, channels: ['email'] },
};

/** The failing condition's path, or undefined when the event passes. */
const run = (filter: unknown, e: FilterEvent = event) => {
  expect(checkFilter(filter)).toEqual([]);
  return compileFilter(filter)(e);
};

describe('filter compiler: operators', () => {
  it.each([
    [{ type: 'replied-message' }, undefined],
    [{ type: 'other' }, '/type'],
    [{ data: { comment: { state: { $eq: 'approved' } } } }, undefined],
    [{ data: { comment: { state: { $eq: 'rejected' } } } }, '/data/comment/state/$eq'],
    [{ data: { comment: { state: { $neq: 'rejected' } } } }, undefined],
    [{ data: { comment: { state: { $neq: 'approved' } } } }, '/data/comment/state/$neq'],
    [{ data: { comment: { state: { $in: ['approved', 'pending'] } } } }, undefined],
    [{ data: { comment: { state: { $in: ['rejected'] } } } }, '/data/comment/state/$in'],
    [{ data: { comment: { state: { $nin: ['rejected'] } } } }, undefined],
    [{ data: { comment: { state: { $nin: ['approved'] } } } }, '/data/comment/state/$nin'],
    [{ data: { comment: { score: { $gt: 6 } } } }, undefined],
    [{ data: { comment: { score: { $gt: 7 } } } }, '/data/comment/score/$gt'],
    [{ data: { comment: { score: { $gte: 7 } } } }, undefined],
    [{ data: { comment: { score: { $gte: 8 } } } }, '/data/comment/score/$gte'],
    [{ data: { comment: { score: { $lt: 8 } } } }, undefined],
    [{ data: { comment: { score: { $lt: 7 } } } }, '/data/comment/score/$lt'],
    [{ data: { comment: { score: { $lte: 7 } } } }, undefined],
    [{ data: { comment: { score: { $lte: 6 } } } }, '/data/comment/score/$lte'],
    [{ time: { $gte: '2026-01-01T00:00:00Z' } }, undefined],
    [{ time: { $lt: '2026-01-01T00:00:00Z' } }, '/time/$lt'],
    [{ source: { $startsWith: '/spots/' } }, undefined],
    [{ source: { $startsWith: '/places/' } }, '/source/$startsWith'],
    [{ subject: { $exist: true } }, undefined],
    [{ data: { missing: { $exist: false } } }, undefined],
    [{ data: { missing: { $exist: true } } }, '/data/missing/$exist'],
    [{ data: { comment: { note: { $exist: true } } } }, undefined],
  ])('%j -> %s', (filter, failing) => {
    expect(run(filter)).toBe(failing);
  });

  it('compares only values of the same type: a number never equals or orders against a string', () => {
    expect(run({ data: { comment: { score: '7' } } })).toBe('/data/comment/score');
    expect(run({ data: { comment: { score: { $gt: '1' } } } })).toBe('/data/comment/score/$gt');
    expect(run({ data: { comment: { state: { $gte: 1 } } } })).toBe('/data/comment/state/$gte');
    expect(run({ data: { comment: { state: { $startsWith: 'app' } } } })).toBeUndefined();
    expect(run({ data: { comment: { score: { $startsWith: '7' } } } })).toBe('/data/comment/score/$startsWith');
  });

  it('an array field matches a scalar it contains ($eq, $in); $neq and $nin then need it absent', () => {
    expect(run({ data: { comment: { tags: 'b' } } })).toBeUndefined();
    expect(run({ data: { comment: { tags: { $in: ['x', 'a'] } } } })).toBeUndefined();
    expect(run({ data: { comment: { tags: { $nin: ['a'] } } } })).toBe('/data/comment/tags/$nin');
    expect(run({ data: { comment: { tags: { $neq: 'z' } } } })).toBeUndefined();
    expect(run({ data: { channels: 'in-app' } })).toBe('/data/channels');
  });

  it('a missing field fails every comparison but $neq, $nin and $exist: false', () => {
    expect(run({ data: { nope: 'x' } })).toBe('/data/nope');
    expect(run({ data: { nope: { $gt: 1 } } })).toBe('/data/nope/$gt');
    expect(run({ data: { nope: { $in: ['x'] } } })).toBe('/data/nope/$in');
    expect(run({ data: { nope: { $neq: 'x' } } })).toBeUndefined();
    expect(run({ data: { nope: { $nin: ['x'] } } })).toBeUndefined();
    expect(run({ data: { comment: { state: { deeper: 'x' } } } })).toBe('/data/comment/state/deeper');
    const noSubject: FilterEvent = { ...event, subject: undefined };
    expect(run({ subject: { $exist: false } }, noSubject)).toBeUndefined();
  });

  it('several conditions in one object must all hold; the first failing one is named', () => {
    expect(run({ type: 'replied-message', data: { comment: { state: 'approved', score: { $gt: 5, $lt: 10 } } } })).toBeUndefined();
    expect(run({ type: 'replied-message', data: { comment: { state: 'approved', score: { $gt: 5, $lt: 6 } } } })).toBe('/data/comment/score/$lt');
  });

  it('$and, $or and $not nest at the top and inside fields', () => {
    expect(run({ $or: [{ type: 'x' }, { data: { comment: { state: 'approved' } } }] })).toBeUndefined();
    expect(run({ $or: [{ type: 'x' }, { type: 'y' }] })).toBe('/$or');
    expect(run({ $and: [{ type: 'replied-message' }, { data: { comment: { score: 8 } } }] })).toBe('/$and/1/data/comment/score');
    expect(run({ $not: { type: 'x' } })).toBeUndefined();
    expect(run({ $not: { type: 'replied-message' } })).toBe('/$not');
    expect(run({ data: { comment: { state: { $not: { $in: ['rejected', 'spam'] } } } } })).toBeUndefined();
    expect(run({ data: { comment: { state: { $not: { $eq: 'approved' } } } } })).toBe('/data/comment/state/$not');
    expect(run({ data: { comment: { $or: [{ state: 'rejected' }, { score: { $gte: 7 } }] } } })).toBeUndefined();
    expect(run({ $not: { $or: [{ type: 'x' }, { $and: [{ subject: 'conv-1' }, { $not: { source: 'y' } }] }] } })).toBe('/$not');
  });

  it('an empty filter passes everything', () => {
    expect(run({})).toBeUndefined();
  });
});

describe('filter checks: the JSON path of the bad operator or operand', () => {
  const errorsOf = (filter: unknown) => checkFilter(filter, '/filter').map((e) => e.path);
  it.each([
    [[], '/filter'],
    ['x', '/filter'],
    [{ data: { comment: { state: { $in: 'approved' } } } }, '/filter/data/comment/state/$in'],
    [{ data: { comment: { state: { $in: [{ a: 1 }] } } } }, '/filter/data/comment/state/$in/0'],
    [{ data: { comment: { state: { $foo: 1 } } } }, '/filter/data/comment/state/$foo'],
    [{ data: { score: { $gt: true } } }, '/filter/data/score/$gt'],
    [{ data: { score: { $gt: null } } }, '/filter/data/score/$gt'],
    [{ data: { s: { $startsWith: 1 } } }, '/filter/data/s/$startsWith'],
    [{ data: { s: { $exist: 'yes' } } }, '/filter/data/s/$exist'],
    [{ $or: [] }, '/filter/$or'],
    [{ $or: {} }, '/filter/$or'],
    [{ $and: [{ type: 'x' }, 3] }, '/filter/$and/1'],
    [{ $not: [] }, '/filter/$not'],
    [{ $eq: 'x' }, '/filter/$eq'],
    [{ id: 'x' }, '/filter/id'],
    [{ kind: 'x' }, '/filter/kind'],
    [{ type: ['a'] }, '/filter/type'],
    [{ data: { a: { b: { $eq: [1] } } } }, '/filter/data/a/b/$eq'],
    [{ 'data/x': 1 }, '/filter/data~1x'],
  ])('%j -> %s', (filter, path) => {
    expect(errorsOf(filter)).toContain(path);
  });

  it('bounds depth, conditions, list and string sizes', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < FILTER_LIMITS.maxDepth; i++) deep = { n: deep };
    expect(checkFilter({ data: deep }, '/filter').map((e) => e.rule)).toContain('maxDepth');
    const many = Object.fromEntries(Array.from({ length: FILTER_LIMITS.maxConditions + 1 }, (_, i) => [`f${i}`, i]));
    expect(checkFilter({ data: many }).map((e) => e.rule)).toContain('maxConditions');
    const list = Array.from({ length: FILTER_LIMITS.maxListItems + 1 }, (_, i) => i);
    expect(checkFilter({ data: { a: { $in: list } } }).map((e) => e.path)).toContain('/data/a/$in');
    expect(checkFilter({ data: { a: 'x'.repeat(FILTER_LIMITS.maxStringLength + 1) } }).map((e) => e.path)).toContain('/data/a');
    expect(checkFilter({ data: { a: { b: { c: 1 } } } })).toEqual([]);
  });

  it('both webhook request shapes accept a filter, keep it in the spec and name the bad path', () => {
    const filter = { data: { comment: { state: { $in: ['approved'] } } } };
    const notification = normalizeWebhookRequest({ endpoint: 'https://example.com/h', filter });
    expect(notification.ok && notification.value.filter).toEqual(filter);
    const entity = normalizeWebhookRequest({ callback: 'https://example.com/h', events: 'user_account', filter });
    expect(entity.ok && entity.value.filter).toEqual(filter);
    const bad = normalizeWebhookRequest({ endpoint: 'https://example.com/h', filter: { data: { comment: { state: { $in: 'approved' } } } } });
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual(['/filter/data/comment/state/$in']);
    const badEntity = normalizeWebhookRequest({ callback: 'https://example.com/h', events: 'user_account', filter: { $or: 1 } });
    expect(badEntity.ok ? [] : badEntity.errors.map((e) => e.path)).toEqual(['/filter/$or']);
  });
});
