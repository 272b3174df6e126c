import { locateJsonError, parseJsonText } from '../../src/http/json-error.js';

describe('JSON syntax errors', () => {
  it.each([
    ['{"a":1,}', 7, 'expected a double-quoted property name'],
    ['{"a": x}', 6, 'unexpected character "x"'],
    ['[1,2', 4, 'unexpected end of input'],
    ['{"a": 1} x', 9, 'unexpected data after the JSON value'],
    ['{"a": "b\nc"}', 8, 'control character in string (must be escaped)'],
    ['{"a" 1}', 5, "expected ':' after property name"],
    ['[01]', 2, "expected ',' or ']' after array element"],
    ['"\\x"', 1, 'invalid escape in string'],
  ])('locates the error in %j at %i', (text, position, reason) => {
    expect(locateJsonError(text)).toMatchObject({ position, reason });
  });

  it('gives line and column, and never quotes the input', () => {
    expect(locateJsonError('{\n  "token": secret-123\n}')).toEqual({ position: 13, line: 2, column: 12, reason: 'unexpected character "s"' });
    expect(() => parseJsonText('{"token": secret-123}')).toThrow('malformed JSON at position 10 (line 1, column 11): unexpected character "s"');
    expect(locateJsonError('{"a": [1, {"b": null}], "c": "\\u00e9"}')).toBeUndefined();
  });
});
