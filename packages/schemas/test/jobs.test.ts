import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  readWebhooksSeq,
  createDeadLetter,
  createDeliveryJob,
  createInvalidEventRecord,
  DeliveryJobSchema,
  deliveryId,
  deliveryIdsOf,
  deliveryNameTail,
  DELIVERY_ID_NAMESPACE,
  fixtures,
  nextAttemptJob,
  RECORD_VERSION,
  uuidV5,
  validateDeadLetter,
  validateDeliveryJob,
  validateInvalidEventRecord,
  jsonSchemas,
} from '../src/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('deliveryId', () => {
  it('is a deterministic version-5 UUID of event id + webhook id', () => {
    const a = deliveryId('evt-1', 'wh-1');
    expect(a).toMatch(UUID);
    expect(deliveryId('evt-1', 'wh-1')).toBe(a);
    expect(deliveryId('evt-1', 'wh-2')).not.toBe(a);
    expect(deliveryId('evt-2', 'wh-1')).not.toBe(a);
    expect(deliveryId('wh-1', 'evt-1')).not.toBe(a);
  });

  it('keeps the ids it always issued (they are stored and sent to partners)', () => {
    expect(deliveryId('evt-1', 'wh-1')).toBe('1b0df645-d6e3-5606-a02d-20ed208bc198');
    expect(deliveryId('évt-ü😀', 'wh')).toBe('a1d25292-6cfb-539f-be38-f2eb16f0caac');
    // Longer than the reused buffer: hashed from a buffer of its own, same algorithm.
    const long = 'é'.repeat(3000);
    expect(deliveryId(long, 'wh')).toBe('17950ada-aaf0-59fc-9663-c7d2d66b5a6e');
  });

  it('gives the same ids through deliveryIdsOf (one event, many webhooks), whatever the ids', () => {
    const anyId = fc.oneof(fc.uuid(), fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ minLength: 1500, maxLength: 2500 }));
    fc.assert(
      fc.property(anyId, fc.array(anyId, { minLength: 1, maxLength: 5 }), (eventId, webhookIds) => {
        const idOf = deliveryIdsOf(eventId);
        for (const w of webhookIds) {
          expect(idOf(w)).toBe(deliveryId(eventId, w));
          // With the webhook's name tail made once (as indexed webhooks carry it), in either order.
          expect(idOf(w, deliveryNameTail(w))).toBe(deliveryId(eventId, w));
          expect(idOf(w)).toBe(deliveryId(eventId, w));
        }
      }),
      { numRuns: 300 },
    );
    expect(deliveryIdsOf('evt-1')('wh-1')).toBe('1b0df645-d6e3-5606-a02d-20ed208bc198');
  });

  it('gives the same ids when the ids of several events are made in turns', () => {
    const anyId = fc.oneof(fc.uuid(), fc.string(), fc.string({ minLength: 1500, maxLength: 2500 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), anyId), { minLength: 1, maxLength: 12 }), fc.tuple(anyId, anyId, anyId), (calls, eventIds) => {
        // Each event's closure keeps its part of the name in a shared buffer between its ids.
        const idsOf = eventIds.map((e) => deliveryIdsOf(e));
        for (const [e, webhookId] of calls) {
          expect(idsOf[e]!(webhookId)).toBe(deliveryId(eventIds[e]!, webhookId));
          expect(idsOf[e]!(webhookId, deliveryNameTail(webhookId))).toBe(deliveryId(eventIds[e]!, webhookId));
          expect(deliveryId(webhookId, eventIds[e]!)).toBe(deliveryId(webhookId, eventIds[e]!));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is the RFC 4122 UUIDv5 of the JSON pair, checked against a reference made here with createHash', () => {
    // Written from the RFC, independent of the module's buffers and layout: SHA-1 of the
    // namespace's 16 bytes then the name's UTF-8, version 5 in byte 6, variant 10xx in byte 8.
    const reference = (eventId: string, webhookId: string): string => {
      const name = Buffer.from(JSON.stringify([eventId, webhookId]), 'utf8');
      const digest = createHash('sha1')
        .update(Buffer.from(DELIVERY_ID_NAMESPACE.replace(/-/g, ''), 'hex'))
        .update(name)
        .digest();
      digest[6] = (digest[6]! & 0x0f) | 0x50;
      digest[8] = (digest[8]! & 0x3f) | 0x80;
      const hex = digest.toString('hex', 0, 16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    };
    const anyId = fc.oneof(fc.uuid(), fc.uuid(), fc.string(), fc.string({ unit: 'grapheme' }));
    fc.assert(
      fc.property(anyId, fc.array(anyId, { minLength: 1, maxLength: 6 }), (eventId, webhookIds) => {
        const idOf = deliveryIdsOf(eventId);
        for (const w of webhookIds) {
          const expected = reference(eventId, w);
          expect(deliveryId(eventId, w)).toBe(expected);
          expect(idOf(w, deliveryNameTail(w))).toBe(expected);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('cannot collide by moving characters between the two ids', () => {
    expect(deliveryId('a:b', 'c')).not.toBe(deliveryId('a', 'b:c'));
    expect(deliveryId('ab', 'c')).not.toBe(deliveryId('a', 'bc'));
  });

  it('uses RFC 4122 name-based hashing (known v5 vector)', () => {
    // DNS namespace + "www.example.com", the usual published v5 test vector.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(DELIVERY_ID_NAMESPACE).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => uuidV5('nope', 'x')).toThrow(/namespace must be a UUID/);
  });
});

describe('delivery job', () => {
  const job = createDeliveryJob({
    event_id: 'evt-1',
    tenant_id: 'tenant-a',
    webhook_id: 'wh-1',
    event_type: 'replied-message',
    body: fixtures.deliveredBody('replied-message'),
    published_at: 1_710_408_413_000,
    now: new Date('2024-03-14T09:26:53.000Z'),
  });

  it('starts at attempt 1, due now, with the deterministic delivery id', () => {
    expect(job).toMatchObject({
      v: 1,
      delivery_id: deliveryId('evt-1', 'wh-1'),
      attempt: 1,
      due_at: 0,
      created_at: '2024-03-14T09:26:53.000Z',
      trace: { published_at: 1_710_408_413_000 },
    });
    expect(validateDeliveryJob(job).ok).toBe(true);
  });

  it('the next attempt carries the history and a due time', () => {
    const failed = { attempt: 1, at: '2024-03-14T09:26:53.000Z', duration_ms: 10_000, error: 'timeout' };
    const next = nextAttemptJob(job, failed, 1_710_408_415_000);
    expect(next).toMatchObject({ attempt: 2, due_at: 1_710_408_415_000, previous_attempts: [failed] });
    expect(job.attempt).toBe(1);
    expect(validateDeliveryJob(next).ok).toBe(true);
  });

  it('holds no secret', () => {
    const fields = Object.keys(DeliveryJobSchema.properties);
    expect(fields.filter((f) => /secret|token|auth|password/i.test(f))).toEqual([]);
    const config = fixtures.webhookRequests.notificationJwt;
    expect(JSON.stringify(fixtures.deliveryJob())).not.toContain(config.auth_config.client_secret);
  });

  it('readers reject an unknown major version clearly and accept unknown fields (additive changes)', () => {
    expect(validateDeliveryJob({ ...job, v: 2 })).toEqual({
      ok: false,
      errors: [{ path: '/v', message: 'unsupported delivery job version 2; this reader understands v1', rule: 'version' }],
    });
    expect(validateDeliveryJob({ ...job, priority: 'high' }).ok).toBe(true);
    expect(validateDeliveryJob({ ...job, v: undefined })).toMatchObject({ ok: false, errors: [{ path: '/v', rule: 'required' }] });
    expect(RECORD_VERSION).toBe(1);
  });

  it('rejects an attempt below 1 and a negative due time', () => {
    const r = validateDeliveryJob({ ...job, attempt: 0, due_at: -5 });
    expect(r.ok ? [] : r.errors).toEqual([
      { path: '/attempt', message: 'must be >= 1', rule: 'minimum' },
      { path: '/due_at', message: 'must be >= 0', rule: 'minimum' },
    ]);
  });
});

describe('dead letter', () => {
  it('wraps the job with the reason and attempts', () => {
    const job = fixtures.deliveryJob();
    const attempts = [{ attempt: 1, at: '2024-03-14T09:26:53.000Z', duration_ms: 120, status_code: 410 }];
    const dead = createDeadLetter(job, 'non_retryable_status', attempts, new Date('2024-03-14T09:27:00.000Z'));
    expect(dead).toEqual({ v: 1, job, reason: 'non_retryable_status', failed_at: '2024-03-14T09:27:00.000Z', attempts });
    expect(validateDeadLetter(dead).ok).toBe(true);
    expect(validateDeadLetter({ ...dead, v: 7 })).toMatchObject({ ok: false, errors: [{ path: '/v', rule: 'version' }] });
    const badStatus = validateDeadLetter({ ...dead, attempts: [{ ...attempts[0], status_code: 99 }] });
    expect(badStatus.ok ? [] : badStatus.errors).toEqual([{ path: '/attempts/0/status_code', message: 'must be >= 100', rule: 'minimum' }]);
  });
});

describe('invalid-event record', () => {
  it('keeps the original bytes, the source position, headers and errors', () => {
    const original = Buffer.from('{"specversion":"1.0","type":"nope"}');
    const record = createInvalidEventRecord({
      reason: 'schema',
      errors: [{ path: '/type', message: "unknown event type 'nope'", rule: 'catalogue' }],
      original,
      source: { topic: 'events', partition: 2, offset: '9007199254740993' },
      headers: { 'content-type': Buffer.from('application/json'), skipped: undefined },
      receivedAt: new Date('2024-03-14T09:26:53.000Z'),
    });
    expect(record).toEqual({
      v: 1,
      reason: 'schema',
      errors: [{ path: '/type', message: "unknown event type 'nope'", rule: 'catalogue' }],
      original_base64: original.toString('base64'),
      source: { topic: 'events', partition: 2, offset: '9007199254740993' },
      headers: { 'content-type': 'application/json' },
      received_at: '2024-03-14T09:26:53.000Z',
    });
    expect(Buffer.from(record.original_base64, 'base64')).toEqual(original);
    expect(validateInvalidEventRecord(record).ok).toBe(true);
    const r = validateInvalidEventRecord({ ...record, source: { ...record.source, offset: -1 } });
    expect(r.ok ? [] : r.errors).toEqual([{ path: '/source/offset', message: 'must be string', rule: 'type' }]);
  });

  it('is exported as JSON Schema with the others', () => {
    expect(Object.keys(jsonSchemas)).toEqual(expect.arrayContaining(['DeliveryJob', 'DeadLetter', 'InvalidEventRecord', 'AttemptRecord']));
  });
});

describe('the webhooks-seq record header', () => {
  it('reads decimal counter values from a buffer or a string', () => {
    expect(readWebhooksSeq(Buffer.from('42'))).toBe(42);
    expect(readWebhooksSeq('0')).toBe(0);
  });
  it.each([undefined, '', '-1', '1.5', '12a', ' 7', '1'.repeat(16)])('rejects %p', (v) => {
    expect(readWebhooksSeq(v)).toBeUndefined();
    if (v !== undefined) expect(readWebhooksSeq(Buffer.from(v))).toBeUndefined();
  });
  it("reads a header's bytes as it reads their text", () => {
    const text = fc.oneof(fc.stringMatching(/^\d{1,16}$/), fc.string({ maxLength: 17 }), fc.string({ unit: 'binary', maxLength: 17 }));
    fc.assert(
      fc.property(text, (t) => {
        expect(readWebhooksSeq(Buffer.from(t, 'utf8'))).toBe(readWebhooksSeq(t));
      }),
      { numRuns: 2000 },
    );
    expect(readWebhooksSeq(Buffer.from('000000000000042'))).toBe(42);
    expect(readWebhooksSeq(Buffer.from('999999999999999'))).toBe(999_999_999_999_999);
    expect(readWebhooksSeq(Buffer.from([0x31, 0x80]))).toBeUndefined();
  });
});
