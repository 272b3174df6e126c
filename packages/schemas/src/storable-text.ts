import { joinPointer, type ValidationError } from './validation.js';

/**
 * PostgreSQL keeps webhooks, the event index, the delivery history and the bodies replays are
 * made from, and neither its `text` nor its `jsonb` can hold U+0000 (NUL) or a UTF-16
 * surrogate without its pair (both are valid JSON, `\u0000` and `\ud800`, and JSON.parse takes
 * them). Accepted, such a value fails a write later, far from the request that carried it: a
 * 500 for the caller, or a history row dropped. Refused at the door instead, with its path.
 *
 * Hookstream does not rewrite the text (replacing NUL with U+FFFD, say): a partner verifies a
 * signature over exactly what was published, so the publisher decides what the text becomes.
 */
export const UNSTORABLE_TEXT_RULE = 'storableText';

// Code units, no `u` flag: a high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const problemOf = (s: string): string | undefined =>
  s.includes('\u0000') ? 'U+0000 (NUL)' : LONE_SURROGATE.test(s) ? 'an unpaired UTF-16 surrogate (\\ud800-\\udfff without its pair)' : undefined;

/**
 * Whether JSON text may hold an unstorable string: both can only be written as escapes
 * (`\u0000`, `\udXXX`; a raw NUL is not JSON and a raw surrogate is not UTF-8), so text
 * without any `\u` holds none. A cheap test that spares the walk for nearly every body.
 */
export function mayHoldUnstorableText(json: Buffer | string): boolean {
  return json.includes('\\u');
}

/**
 * The first string or property name in a parsed JSON value that PostgreSQL cannot store, as a
 * validation error whose path is a JSON Pointer from `base`; undefined when there is none.
 */
export function firstUnstorableText(value: unknown, base = ''): ValidationError | undefined {
  if (typeof value === 'string') {
    const what = problemOf(value);
    return what ? { path: base, message: `must not contain ${what}: it cannot be stored`, rule: UNSTORABLE_TEXT_RULE } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstUnstorableText(value[i], joinPointer(base, i));
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, member] of Object.entries(value)) {
    const at = joinPointer(base, key);
    const what = problemOf(key);
    if (what) return { path: at, message: `property name must not contain ${what}: it cannot be stored`, rule: UNSTORABLE_TEXT_RULE };
    const found = firstUnstorableText(member, at);
    if (found) return found;
  }
  return undefined;
}
