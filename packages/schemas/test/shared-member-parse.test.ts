import fc from 'fast-check';
import { createDeliveryJob, decodeDeliveryJobRecord, decodedBodyJson, FirstAttemptJobRecords } from '../src/index.js';
import { SharedMemberParser } from '../src/records/shared-member-parse.js';

// Keys that look like the member or like JSON syntax, so nested and escaped look-alikes are met.
const key = fc.oneof(fc.string(), fc.constantFrom('body', 'bod', 'body ', '"body"', 'b\\u006fdy', '\\', '{', '}', '[', ']', ',', ':', '__proto__'));
const value = fc.jsonValue({ maxDepth: 3 });
const object = fc.dictionary(key, value, { maxKeys: 6 });
const spacing = fc.constantFrom(undefined, 1, '\t');

const IDS = {
  event_id: 'evt-1',
  tenant_id: '6f9619ff-8b86-4011-b42d-00c04fc964ff',
};
const WEBHOOKS = ['0b2a7e5e-0f5c-4b8e-9d7e-3f3c2f3a1b11', '1c3b8f6f-1a6d-4c9f-8e8f-4a4d3a4b2c22'];

describe('SharedMemberParser', () => {
  it("gives JSON.parse's value or nothing, for texts in a row whose members repeat, are absent, repeated or no object", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(object, fc.oneof(object, value), object, spacing, fc.boolean()), { minLength: 1, maxLength: 6 }), (records) => {
        const parser = new SharedMemberParser('body');
        for (const [before, body, after, space, repeatLast] of records) {
          const text = JSON.stringify({ ...before, body, ...after }, null, space);
          for (const t of repeatLast ? [text, text] : [text]) {
            const parsed = parser.parse(t);
            const expected = JSON.parse(t) as Record<string, unknown>;
            if (parsed === undefined) {
              // Only when the member is no object: everything else takes the shared path.
              const member = expected.body;
              expect(typeof member === 'object' && member !== null && !Array.isArray(member)).toBe(false);
              continue;
            }
            expect(parsed.value).toEqual(expected);
            expect(Object.keys(parsed.value)).toEqual(Object.keys(expected));
            expect(parsed.member).toBe(parsed.value.body);
            expect(JSON.parse(parsed.memberText)).toEqual(expected.body);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('shares the object of a member whose text equals the last one, and only then', () => {
    const parser = new SharedMemberParser('body');
    const a = parser.parse('{"id":1,"body":{"x":[1,2]}}')!;
    const b = parser.parse('{"id":2,"body":{"x":[1,2]},"z":true}')!;
    const c = parser.parse('{"id":3,"body":{"x":[1, 2]}}')!;
    expect(a.shared).toBe(false);
    expect(b.shared).toBe(true);
    expect(b.member).toBe(a.member);
    expect(b.value).toEqual({ id: 2, body: { x: [1, 2] }, z: true });
    expect(c.shared).toBe(false);
    expect(c.member).not.toBe(a.member);
  });

  it('leaves text that is not JSON, around the member or in it, to JSON.parse, even when the member repeats', () => {
    const parser = new SharedMemberParser('body');
    expect(parser.parse('{"id":1,"body":{"x":1}}')).toBeDefined();
    expect(parser.parse('{"id":,"body":{"x":1}}')).toBeUndefined();
    expect(parser.parse('{"id":1,"body":{"x":1}')).toBeUndefined();
    expect(parser.parse('{"id":1,"body":{"x":}}')).toBeUndefined();
    expect(parser.parse('{"id":1,"body":{"x":1}} x')).toBeUndefined();
    expect(parser.parse('{"id":"a\\"body\\":{\\"x\\":1}"}')).toBeUndefined();
    expect(parser.parse('[{"body":{"x":1}}]')).toBeUndefined();
  });
});

describe('decodeDeliveryJobRecord over the jobs of one event', () => {
  it('decodes each job as JSON.parse reads its record, the jobs of one body sharing it with its text', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(key, value, { maxKeys: 6 }), { minLength: 1, maxLength: 3 }), (bodies) => {
        const records = new FirstAttemptJobRecords({ ...IDS, event_type: 'replied-message', envelope: { source: '/s' }, published_at: 5 });
        let previous: object | undefined;
        for (const body of bodies) {
          const decoded = WEBHOOKS.map((webhook) => {
            const record = records.encode(webhook, 3, JSON.stringify(body));
            const result = decodeDeliveryJobRecord({ value: Buffer.from(record.value), headers: record.headers });
            if (!result.ok) throw new Error(JSON.stringify(result.errors));
            expect(result.record).toEqual(JSON.parse(record.value));
            return result.record;
          });
          expect(decoded[1]!.body).toBe(decoded[0]!.body);
          if (previous !== undefined && JSON.stringify(body) !== JSON.stringify(previous)) expect(decoded[0]!.body).not.toBe(previous);
          expect(decodedBodyJson(decoded[0]!.body)).toBe(JSON.stringify(body));
          previous = decoded[0]!.body;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses as before a record whose body is broken or no object, after one with a good body', () => {
    const job = createDeliveryJob({ ...IDS, webhook_id: WEBHOOKS[0]!, event_type: 'replied-message', body: { a: 1 } });
    const good = JSON.stringify(job);
    expect(decodeDeliveryJobRecord({ value: Buffer.from(good) })).toEqual({ ok: true, record: job });
    const broken = good.replace('"body":{"a":1}', '"body":{"a":}');
    expect(decodeDeliveryJobRecord({ value: Buffer.from(broken) })).toMatchObject({ ok: false, reason: 'not_json' });
    const rest = good.replace('"attempt":1', '"attempt":');
    expect(decodeDeliveryJobRecord({ value: Buffer.from(rest) })).toMatchObject({ ok: false, reason: 'not_json' });
    const list = decodeDeliveryJobRecord({ value: Buffer.from(good.replace('"body":{"a":1}', '"body":[1]')) });
    expect(list).toMatchObject({ ok: false, reason: 'invalid_delivery_job' });
    expect(!list.ok && list.errors.map((e) => e.path)).toContain('/body');
  });
});
