import { joinPointer } from '@hookstream/schemas';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * Byte offset of the first `{` or `[` that opens a container nested deeper than `max` levels
 * (the root is level 1), or -1. One loop over the UTF-8 bytes, no recursion and no allocation,
 * so it is cheap on the ingest path and safe on a body of 30,000 levels. The structural
 * characters are ASCII and never occur inside a multi-byte UTF-8 sequence, so bytes suffice.
 * Malformed JSON is left to the parser; this only counts brackets outside strings.
 */
export function firstTooDeep(bytes: Uint8Array, max: number): number {
  if (bytes.length <= max) return -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > max) return i;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) depth--;
  }
  return -1;
}

interface Frame {
  array: boolean;
  index: number;
  key: string;
  expectKey: boolean;
}

/**
 * The JSON Pointer of the container opening at `at`: walks the bytes before it once more,
 * keeping each enclosing container's current key or index (at most `max` frames). Runs only
 * for a refused body.
 */
export function pointerAt(bytes: Buffer, at: number): string {
  const stack: Frame[] = [];
  let i = 0;
  while (i < at) {
    const b = bytes[i]!;
    const top = stack[stack.length - 1];
    if (b === QUOTE) {
      const start = i++;
      while (i < bytes.length && bytes[i] !== QUOTE) i += bytes[i] === BACKSLASH ? 2 : 1;
      if (top && !top.array && top.expectKey) {
        top.key = decodeKey(bytes, start, i + 1);
        top.expectKey = false;
      }
    } else if (b === OPEN_OBJECT) stack.push({ array: false, index: 0, key: '', expectKey: true });
    else if (b === OPEN_ARRAY) stack.push({ array: true, index: 0, key: '', expectKey: false });
    else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) stack.pop();
    else if (b === COMMA && top) {
      if (top.array) top.index++;
      else top.expectKey = true;
    }
    i++;
  }
  return joinPointer('', ...stack.map((f) => (f.array ? f.index : f.key)));
}

function decodeKey(bytes: Buffer, start: number, end: number): string {
  const literal = bytes.toString('utf8', start, end);
  try {
    return String(JSON.parse(literal));
  } catch {
    return literal.slice(1, -1);
  }
}
