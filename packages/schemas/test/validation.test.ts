import { Type } from '@sinclair/typebox';
import { check, formatAjvErrors, joinPointer, StringEnum, validate, validatorFor } from '../src/index.js';

describe('error formatting', () => {
  const Schema = Type.Object(
    {
      channel: StringEnum(['email', 'in-app'] as const),
      retry_base: Type.Integer({ minimum: 1, maximum: 5 }),
      user: Type.Object({ id: Type.String() }),
      'a/b~c': Type.Optional(Type.Object({ n: Type.Number() })),
      either: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
      list: Type.Optional(Type.Array(Type.Object({ x: Type.Integer() }))),
    },
    { additionalProperties: false },
  );

  it('gives specific messages, JSON Pointer paths and the Ajv keyword', () => {
    expect(check(Schema, { channel: 'sms', retry_base: 6, extra: 1, 'a/b~c': { n: 'x' }, either: [], list: [{ x: 1 }, { x: 'y' }] })).toEqual([
      { path: '/user', message: "must have required property 'user'", rule: 'required' },
      { path: '/extra', message: "unknown property 'extra' is not allowed", rule: 'additionalProperties' },
      { path: '/channel', message: 'must be one of: email, in-app', rule: 'enum' },
      { path: '/retry_base', message: 'must be <= 5', rule: 'maximum' },
      { path: '/a~1b~0c/n', message: 'must be number', rule: 'type' },
      { path: '/either', message: 'must be string or integer', rule: 'type' },
      { path: '/list/1/x', message: 'must be integer', rule: 'type' },
    ]);
  });

  it('prefixes a base path', () => {
    expect(check(Schema, { channel: 'email', retry_base: 1, user: {} }, '/data')).toEqual([
      { path: '/data/user/id', message: "must have required property 'id'", rule: 'required' },
    ]);
  });

  it('returns the input itself when valid', () => {
    const value = { channel: 'email', retry_base: 1, user: { id: 'u' } };
    const r = validate(Schema, value);
    expect(r.ok && r.value).toBe(value);
  });

  it('compiles each schema once', () => {
    expect(validatorFor(Schema)).toBe(validatorFor(Schema));
  });

  it('escapes pointer tokens', () => {
    expect(joinPointer('/x', 'a/b', '~', 0)).toBe('/x/a~1b/~0/0');
  });

  it('formats an empty list', () => {
    expect(formatAjvErrors([])).toEqual([]);
  });
});
