/*
 * Finds where one member's value lies in the text of a JSON object, so that a reader can reuse
 * that part of the text as it came instead of serialising the parsed value again. The text must
 * already be known to be JSON (JSON.parse accepted it): nothing is validated here, and on text
 * that is not JSON the answer means nothing.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index after the string that starts (with its quote) at `i`. */
function endOfString(text: string, i: number): number {
  for (let j = i + 1; ;) {
    const q = text.indexOf('"', j);
    if (q < 0) return text.length;
    // A quote preceded by an odd number of backslashes is part of the string.
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** The index after the value that starts at `i`. */
function endOfValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return endOfString(text, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number or a literal: up to the next delimiter.
    let j = i;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    }
    return j;
  }
  let depth = 0;
  for (let j = i; j < text.length;) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      j = endOfString(text, j);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return j + 1;
    j++;
  }
  return text.length;
}

/**
 * `[start, end)` of the value of the top-level member `name` of the JSON object `text`, or
 * undefined when the object has no such member (or `text` is no object). A repeated name gives
 * the last one, the one JSON.parse keeps.
 */
export function jsonMemberSpan(text: string, name: string): [number, number] | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipSpace(text, i + 1);
  let found: [number, number] | undefined;
  while (i < text.length && text.charCodeAt(i) === QUOTE) {
    const keyEnd = endOfString(text, i);
    const key = text.slice(i + 1, keyEnd - 1);
    // A name spelled with escapes is still that name.
    const matches = key.includes('\\') ? (JSON.parse(`"${key}"`) as string) === name : key === name;
    i = skipSpace(text, keyEnd);
    i = skipSpace(text, i + 1); // the colon
    const valueEnd = endOfValue(text, i);
    if (matches) found = [i, valueEnd];
    i = skipSpace(text, valueEnd);
    if (text.charCodeAt(i) !== COMMA) break;
    i = skipSpace(text, i + 1);
  }
  return found;
}

/**
 * {@link jsonMemberSpan} of several names in one pass: for each of `names`, `[start, end)` of its
 * value in the JSON object `text`, or undefined when absent; undefined for text that is no object
 * or has a member name written with escapes (which a caller comparing raw names would miss).
 *
 * `present`, when given, has bit `1 << i` set for each of `names` the object has (read from the
 * value parsed from `text`): the scan stops once those are found instead of walking the rest of
 * the object. Only for text without repeated names (what JSON.stringify writes), where the first
 * occurrence of a name is the one JSON.parse keeps.
 */
export function jsonMemberSpans(text: string, names: readonly string[], present?: number): ([number, number] | undefined)[] | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipSpace(text, i + 1);
  const found: ([number, number] | undefined)[] = names.map(() => undefined);
  if (present === 0) return found;
  // The next backslash from where the scan is: a name holding one makes the answer undefined.
  let backslash = text.indexOf('\\', i);
  while (i < text.length && text.charCodeAt(i) === QUOTE) {
    const keyEnd = endOfString(text, i);
    if (backslash >= 0 && backslash < i) backslash = text.indexOf('\\', i);
    if (backslash >= 0 && backslash < keyEnd) return undefined;
    // Names are compared in the text: no string is cut out per member.
    const at = nameAt(text, i + 1, keyEnd - 1, names);
    i = skipSpace(text, keyEnd);
    i = skipSpace(text, i + 1); // the colon
    const valueEnd = endOfValue(text, i);
    if (at >= 0) {
      found[at] = [i, valueEnd];
      if (present !== undefined && (present &= ~(1 << at)) === 0) return found;
    }
    i = skipSpace(text, valueEnd);
    if (text.charCodeAt(i) !== COMMA) break;
    i = skipSpace(text, i + 1);
  }
  return found;
}

/** The index in `names` of the name written in `text` from `start` to `end`, or -1. */
function nameAt(text: string, start: number, end: number, names: readonly string[]): number {
  for (let n = 0; n < names.length; n++) {
    const name = names[n]!;
    if (name.length === end - start && text.startsWith(name, start)) return n;
  }
  return -1;
}
