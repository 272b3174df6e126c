import fc from 'fast-check';
import { createDeliveryJob, decodeDeliveryJobRecord, decodedBodyJson, encodeDeliveryJobRecord, FirstAttemptJobRecords, nextAttemptJob } from '../src/index.js';
import { jsonMemberSpan, jsonMemberSpans } from '../src/records/json-member-span.js';

// Keys that look like the member or like JSON syntax, so nested and escaped look-alikes are met.
const key = fc.oneof(fc.string(), fc.constantFrom('body', 'bod', 'body ', '"body"', '\\', '{', '}', '[', ']', ',', ':', '__proto__'));
const value = fc.jsonValue({ maxDepth: 3 });
const object = fc.dictionary(key, value, { maxKeys: 6 });

const IDS = {
  event_id: 'evt-1',
  tenant_id: '6f9619ff-8b86-4011-b42d-00c04fc964ff',
  webhook_id: '0b2a7e5e-0f5c-4b8e-9d7e-3f3c2f3a1b11',
};

describe('jsonMemberSpan', () => {
  it("finds exactly the member's value text in JSON.stringify output, whatever the other members hold", () => {
    fc.assert(
      fc.property(object, value, object, (before, body, after) => {
        const text = JSON.stringify({ ...before, body, ...after });
        const span = jsonMemberSpan(text, 'body');
        const expected = 'body' in after ? after.body : body;
        expect(span).toBeDefined();
        expect(text.slice(span![0], span![1])).toBe(JSON.stringify(expected));
      }),
    );
  });

  it('finds a value that parses to the member in indented text, and nothing when the member is absent', () => {
    fc.assert(
      fc.property(object, value, (others, body) => {
        const text = JSON.stringify({ ...others, body }, null, 2);
        const span = jsonMemberSpan(text, 'body')!;
        expect(JSON.parse(text.slice(span[0], span[1]))).toEqual(JSON.parse(JSON.stringify(body)));
        const withoutBody = Object.fromEntries(Object.entries(others).filter(([k]) => k !== 'body'));
        expect(jsonMemberSpan(JSON.stringify(withoutBody, null, 1), 'body')).toBeUndefined();
      }),
    );
  });

  it('takes the last of repeated names, as JSON.parse does, and names spelled with escapes', () => {
    const text = '{"body":{"a":1}, "b\\u006fdy" : [1,"x\\"y"] , "c":"\\\\"}';
    const span = jsonMemberSpan(text, 'body')!;
    expect(text.slice(span[0], span[1])).toBe('[1,"x\\"y"]');
    expect(JSON.parse(text.slice(span[0], span[1]))).toEqual((JSON.parse(text) as { body: unknown }).body);
    expect(jsonMemberSpan('[{"body":1}]', 'body')).toBeUndefined();
    expect(jsonMemberSpan('{"a":{"body":1}}', 'body')).toBeUndefined();
  });
});

describe('jsonMemberSpans', () => {
  const NAMES = ['event_id', 'type', 'channels'] as const;
  const names = fc.oneof(key, fc.constantFrom(...NAMES, 'typ', 'types', 'channel', 'event_i'));

  it('finds in one pass what jsonMemberSpan finds for each name, and nothing for a name written with escapes', () => {
    fc.assert(
      fc.property(fc.dictionary(names, value, { maxKeys: 8 }), (data) => {
        const text = JSON.stringify(data);
        const spans = jsonMemberSpans(text, NAMES);
        if (Object.keys(data).some((k) => JSON.stringify(k).includes('\\'))) {
          expect(spans).toBeUndefined();
          return;
        }
        expect(spans).toEqual(NAMES.map((n) => jsonMemberSpan(text, n)));
      }),
      { numRuns: 2000 },
    );
  });

  it('told which names the object has, stops after the last of them with the same spans', () => {
    fc.assert(
      fc.property(fc.dictionary(names, value, { maxKeys: 8 }), (data) => {
        const text = JSON.stringify(data);
        let present = 0;
        NAMES.forEach((n, i) => {
          if (Object.prototype.hasOwnProperty.call(data, n)) present |= 1 << i;
        });
        const spans = jsonMemberSpans(text, NAMES, present);
        // A name written with escapes before the last one wanted makes it undefined, as without `present`.
        if (spans === undefined) {
          expect(Object.keys(data).some((k) => JSON.stringify(k).includes('\\'))).toBe(true);
          return;
        }
        expect(spans).toEqual(NAMES.map((n) => jsonMemberSpan(text, n)));
      }),
      { numRuns: 2000 },
    );
    const text = '{"type":"t","rest":{"deep":[1,2,3]},"x":"\\u0000"}';
    expect(jsonMemberSpans(text, NAMES, 0b010)).toEqual([undefined, [8, 11], undefined]);
    expect(jsonMemberSpans(text, NAMES, 0)).toEqual([undefined, undefined, undefined]);
  });

  it('reads past backslashes in values, before and after the names it finds', () => {
    const text = JSON.stringify({ a: 'x\\"y', type: 't\\', b: '\\\\', channels: ['e\\'], c: '"' });
    const spans = jsonMemberSpans(text, NAMES)!;
    expect(spans[0]).toBeUndefined();
    expect(JSON.parse(text.slice(...spans[1]!))).toBe('t\\');
    expect(JSON.parse(text.slice(...spans[2]!))).toEqual(['e\\']);
    expect(jsonMemberSpans('{"a":"\\\\","ty\\u0070e":1}', NAMES)).toBeUndefined();
  });
});

describe('decodedBodyJson', () => {
  it("gives a decoded job's body text as its record carried it, for the matcher's records and for JSON.stringify of a job", () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (body) => {
        const records = [
          new FirstAttemptJobRecords({ ...IDS, event_type: 'replied-message', envelope: { source: '/s' }, published_at: 5 }).encode(
            IDS.webhook_id,
            3,
            JSON.stringify(body),
          ),
          encodeDeliveryJobRecord(
            nextAttemptJob(
              createDeliveryJob({ ...IDS, event_type: 'replied-message', body }),
              { attempt: 1, at: new Date(0).toISOString(), duration_ms: 1 },
              9,
            ),
          ),
        ];
        for (const record of records) {
          const decoded = decodeDeliveryJobRecord({ value: Buffer.from(record.value), headers: record.headers });
          if (!decoded.ok) throw new Error(JSON.stringify(decoded.errors));
          expect(decodedBodyJson(decoded.record.body)).toBe(JSON.stringify(decoded.record.body));
          expect(decodedBodyJson(decoded.record.body)).toBe(JSON.stringify(body));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("keeps another producer's spacing, and knows no text for a body that was not decoded", () => {
    const job = createDeliveryJob({ ...IDS, event_type: 'replied-message', body: { b: [1, 2], a: 'x' } });
    const value = JSON.stringify(job, null, 2);
    const decoded = decodeDeliveryJobRecord({ value: Buffer.from(value) });
    if (!decoded.ok) throw new Error('not decoded');
    expect(decodedBodyJson(decoded.record.body)).toBe(JSON.stringify(job.body, null, 2).replaceAll('\n', '\n  '));
    expect(JSON.parse(decodedBodyJson(decoded.record.body)!)).toEqual(job.body);
    expect(decodedBodyJson(job.body)).toBeUndefined();
    expect(decodedBodyJson({ ...decoded.record.body })).toBeUndefined();
  });
});
