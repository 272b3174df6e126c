import fc from 'fast-check';

/** One hostile (or valid) request body with the content type it is sent as. */
export interface Candidate {
  kind: string;
  body: Buffer;
  contentType: string | undefined;
  /** True when the input is valid and must be accepted. */
  valid: boolean;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** Nesting of arrays or objects far beyond anything a real event has. */
export const deeplyNested = fc
  .record({ depth: fc.integer({ min: 100, max: 200_000 }), object: fc.boolean() })
  .map(({ depth, object }) => Buffer.from(object ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`));

/** Bytes that are not UTF-8, alone or inside an otherwise valid JSON string. */
export const badUtf8 = (valid: Buffer) =>
  fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 512 }).map((b) => Buffer.from(b)),
    fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80], [0xc0, 0xaf]).map((bad) => {
      const at = valid.indexOf('"', valid.indexOf('"data"') + 8) + 1;
      return Buffer.concat([valid.subarray(0, at), Buffer.from(bad), valid.subarray(at)]);
    }),
  );

/** Replaces the value at a random path of a valid document with a value of another type. */
export function typeConfused(valid: Record<string, unknown>): fc.Arbitrary<Buffer> {
  const paths: string[][] = [];
  const walk = (v: unknown, p: string[]) => {
    if (p.length) paths.push(p);
    if (typeof v === 'object' && v !== null && p.length < 4) for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
  };
  walk(valid, []);
  const other = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 20 }),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
    fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '<script>', 'NaN', '1e309', '__proto__'),
  );
  return fc.record({ path: fc.constantFrom(...paths), value: other, drop: fc.boolean() }).map(({ path, value, drop }) => {
    const copy = structuredClone(valid);
    let at: Record<string, unknown> = copy;
    for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
    const last = path[path.length - 1]!;
    if (drop) delete at[last];
    else at[last] = value;
    // __proto__ as a key must be an own property to reach the server.
    return Buffer.from(JSON.stringify(copy));
  });
}

/** A valid document cut at a random byte. */
export const truncated = (valid: Buffer) => fc.integer({ min: 0, max: valid.length - 1 }).map((n) => valid.subarray(0, n));

/** A value whose serialized size is well above the limits (EVENT_MAX_BYTES 256 KiB, API bodies 64 KiB). */
export const huge = (valid: Record<string, unknown>) =>
  fc.integer({ min: 300_000, max: 1_200_000 }).map((n) => json({ ...valid, data: { ...(valid.data as object), padding: 'x'.repeat(n) } }));

/** Content types a sender may get wrong. */
export const wrongContentType = fc.constantFrom(
  undefined,
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/cloudevents+xml',
  '*/*',
);

/** Every kind of hostile input for a JSON endpoint, with valid input mixed in. */
export function candidates(validDoc: () => Record<string, unknown>, goodType: string): fc.Arbitrary<Candidate> {
  const sample = validDoc();
  const validBuf = json(sample);
  const as = (kind: string, body: fc.Arbitrary<Buffer>, valid = false) => body.map((b): Candidate => ({ kind, body: b, contentType: goodType, valid }));
  return fc.oneof(
    { arbitrary: fc.constant(null).map((): Candidate => ({ kind: 'valid', body: json(validDoc()), contentType: goodType, valid: true })), weight: 3 },
    {
      arbitrary: as(
        'random-json',
        fc.jsonValue({ maxDepth: 4 }).map((v) => json(v)),
      ),
      weight: 3,
    },
    {
      arbitrary: as(
        'random-text',
        fc.string({ maxLength: 300, unit: 'binary' }).map((s) => Buffer.from(s)),
      ),
      weight: 2,
    },
    { arbitrary: as('truncated', truncated(validBuf)), weight: 3 },
    { arbitrary: as('deeply-nested', deeplyNested), weight: 1 },
    {
      arbitrary: as(
        'type-confused',
        fc.constant(null).chain(() => typeConfused(validDoc())),
      ),
      weight: 4,
    },
    { arbitrary: as('bad-utf8', badUtf8(validBuf)), weight: 2 },
    { arbitrary: as('huge', huge(sample)), weight: 1 },
    {
      arbitrary: wrongContentType.map((ct): Candidate => ({ kind: 'wrong-content-type', body: json(validDoc()), contentType: ct, valid: false })),
      weight: 2,
    },
  );
}
