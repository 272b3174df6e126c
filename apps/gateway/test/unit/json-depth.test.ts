import { InvalidInput } from '../../src/domain/errors.js';
import { parseJsonBody } from '../../src/http/body.js';

const nestedArrays = (depth: number) => Buffer.from('['.repeat(depth) + ']'.repeat(depth));
const nestedObjects = (depth: number, key = 'a') => Buffer.from(`{"${key}":`.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1));

function refusal(body: Buffer, limits?: Parameters<typeof parseJsonBody>[1]): InvalidInput {
  try {
    parseJsonBody(body, limits);
  } catch (e) {
    if (e instanceof InvalidInput) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('#16.7 JSON nesting is capped at 64 levels when the body is parsed', () => {
  it('accepts 64 levels of arrays and of objects', () => {
    expect(() => parseJsonBody(nestedArrays(64))).not.toThrow();
    expect(() => parseJsonBody(nestedObjects(64))).not.toThrow();
  });

  it('refuses 65 levels with the JSON pointer of the container that passed the limit', () => {
    const arrays = refusal(nestedArrays(65));
    expect(arrays.details).toEqual([{ path: '/0'.repeat(64), message: expect.stringContaining('64 levels'), rule: 'maxDepth' }]);
    expect(refusal(nestedObjects(65)).details).toEqual([expect.objectContaining({ path: '/a'.repeat(64) })]);
  });

  it('refuses depth 30,000 (a 181 KB body) without overflowing the stack', () => {
    const depth = 30_000;
    const body = Buffer.from('{"data":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + '}');
    expect(body.length).toBeGreaterThan(180_000);
    expect(refusal(body).details).toEqual([expect.objectContaining({ path: '/data' + '/a'.repeat(63), rule: 'maxDepth' })]);
  });

  it('counts only structure: brackets and escaped quotes inside strings do not nest', () => {
    const text = JSON.stringify({ s: '[[[[{{{{'.repeat(100) + '\\"[' + '"' + '{'.repeat(200), list: [1, '"]]]', { k: '\\' }] });
    expect(parseJsonBody(Buffer.from(text))).toEqual(JSON.parse(text));
  });

  it('names keys and indexes on the way, escaped as JSON Pointer requires', () => {
    const deep = '['.repeat(70) + ']'.repeat(70);
    const body = Buffer.from(`{"skip":{"x":[1,2]},"a/b~c":[0,{"n":1},{"é\\"k":${deep}}]}`);
    const path = refusal(body).details![0]!.path;
    // Levels 1-3 are the object, the array and the object holding the deep arrays: 64 tokens in all.
    expect(path).toBe('/a~1b~0c/2/é"k' + '/0'.repeat(61));
  });

  it('lets a batch array have one more level, so each event gets the same limit', () => {
    const event = nestedObjects(64);
    const batch = Buffer.from(`[${event.toString()},${event.toString()}]`);
    expect(() => parseJsonBody(batch, { maxDepth: 65 })).not.toThrow();
    expect(refusal(batch).details).toEqual([expect.objectContaining({ path: '/0' + '/a'.repeat(63) })]);
  });

  it('reports binary-mode data under /data, where it sits in the event', () => {
    expect(refusal(nestedArrays(64), { maxDepth: 63, pointerPrefix: '/data' }).details).toEqual([expect.objectContaining({ path: '/data' + '/0'.repeat(63) })]);
  });
});
