import { jsonMemberSpan } from './json-member-span.js';

/**
 * JSON.parse of a record's text whose member `name` (an object) is often the same text as the
 * record read just before: the hundred jobs of a fan-out event carry one body each, and parsing
 * it again for every job was most of a job's decoding and of its garbage (docs/performance.md).
 * The rest of the record is parsed with the member's value replaced by `0`; the member's text,
 * when it equals the last one parsed, gets that one's object (shared, so it must never be changed
 * in place), and is parsed otherwise.
 *
 * The answer is JSON.parse's, or undefined where the caller must use JSON.parse itself (text
 * that is not JSON, a member that is absent or no object): when the rest parses with the marker
 * as its member `name`, the member's text stood at a value position of the record (the span scan
 * reads a JSON prefix and suffix as JSON.parse does), so putting the parsed text back there is
 * what parsing the whole text gives.
 */
export class SharedMemberParser {
  private lastText: string | undefined;
  private lastValue: object | undefined;

  constructor(private readonly name: string) {}

  parse(text: string): { value: Record<string, unknown>; member: object; memberText: string; shared: boolean } | undefined {
    const span = jsonMemberSpan(text, this.name);
    if (!span || text.charCodeAt(span[0]) !== 0x7b) return undefined;
    const [start, end] = span;
    let rest: unknown;
    try {
      rest = JSON.parse(`${text.slice(0, start)}0${text.slice(end)}`);
    } catch {
      return undefined;
    }
    if (typeof rest !== 'object' || rest === null || Array.isArray(rest) || (rest as Record<string, unknown>)[this.name] !== 0) return undefined;
    let memberText = text.slice(start, end);
    let member: object;
    let shared = false;
    // A slice compared with `===` (a flat compare); `startsWith` at an offset took 50 times as long.
    if (memberText === this.lastText) {
      member = this.lastValue!;
      memberText = this.lastText;
      shared = true;
    } else {
      try {
        member = JSON.parse(memberText) as object;
      } catch {
        return undefined;
      }
      this.lastText = memberText;
      this.lastValue = member;
    }
    (rest as Record<string, unknown>)[this.name] = member;
    return { value: rest as Record<string, unknown>, member, memberText, shared };
  }
}
