import { firstUnstorableText, mayHoldUnstorableText, validateEvent, fixtures, UNSTORABLE_TEXT_RULE } from '../src/index.js';

describe('text PostgreSQL cannot store', () => {
  it('finds U+0000 and unpaired surrogates in strings and property names, with the JSON Pointer of the first', () => {
    expect(firstUnstorableText({ a: [1, 'ok', { 'b/c': 'x\u0000' }] })).toEqual({
      path: '/a/2/b~1c',
      message: 'must not contain U+0000 (NUL): it cannot be stored',
      rule: UNSTORABLE_TEXT_RULE,
    });
    expect(firstUnstorableText({ ['k\u0000']: 1 })?.message).toMatch(/^property name must not contain U\+0000/);
    expect(firstUnstorableText(['\ud800'], '/data')?.path).toBe('/data/0');
    expect(firstUnstorableText('lone low \udfff')?.message).toMatch(/unpaired UTF-16 surrogate/);
    expect(firstUnstorableText('high at the end \udbff')).toBeDefined();
  });

  it('lets everything else through: pairs, other control characters, a literal backslash-u', () => {
    expect(firstUnstorableText({ emoji: '\u{1F600}', tab: 'a\tb', bell: '\u0007', text: '\\u0000', n: 0, none: null, yes: true })).toBeUndefined();
  });

  it('walks only JSON text that holds a \\u escape, the only way either can be written', () => {
    expect(mayHoldUnstorableText(JSON.stringify({ a: 'x\u0000' }))).toBe(true);
    expect(mayHoldUnstorableText(Buffer.from('{"a":"\\ud800"}'))).toBe(true);
    expect(mayHoldUnstorableText(Buffer.from(JSON.stringify({ a: 'plain é \u{1F600}' })))).toBe(false);
  });
});

describe('CloudEvents string attributes', () => {
  const event = (overrides: Record<string, unknown>) =>
    fixtures.envelope('user-followed', undefined, { tenantid: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f', ...overrides });

  it.each([
    ['id', { id: 'a\u0001b' }],
    ['subject', { subject: 'two\nlines' }],
    ['an extension', { traceinfo: 'x\u009f' }],
  ])('refuses control characters in %s (CloudEvents 1.0, Type System: String)', (_what, overrides) => {
    const r = validateEvent(event(overrides));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/must not contain control characters/), rule: 'pattern' }));
  });

  it('accepts other text in them, non-ASCII included', () => {
    expect(validateEvent(event({ id: 'évènement-1', subject: 'conversation 42 ✓', traceinfo: 'a b' })).ok).toBe(true);
  });
});
