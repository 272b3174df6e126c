import {
  createDeadLetter,
  createDeliveryJob,
  createInvalidEventRecord,
  decodeDeadLetterRecord,
  decodeDeliveryJobRecord,
  decodeEventRecord,
  decodeInvalidEventRecord,
  encodeDeadLetterRecord,
  encodeDeliveryJobRecord,
  encodeEventRecord,
  encodeInvalidDeliveryJobRecord,
  encodeInvalidEventRecord,
  envelopeToBinary,
  EVENT_TYPES,
  eventKey,
  validateEvent,
  validateMarkedEvent,
  fixtures,
  headerStrings,
  CATALOGUE_DIGEST,
  VALIDATED_WITH_HEADER,
  WEBHOOKS_SEQ_HEADER,
  type CloudEvent,
  type EncodedRecord,
  type IncomingHeaders,
} from '../src/index.js';

const TENANT = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const WEBHOOK = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** What a consumer gets back from Kafka: bytes for the value and every header. */
function wire(record: EncodedRecord): { value: Buffer; headers: IncomingHeaders } {
  return {
    value: Buffer.from(record.value),
    headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])),
  };
}

function event(overrides: Record<string, unknown> = {}): CloudEvent {
  return fixtures.envelope('user-followed', undefined, { id: 'evt-1', tenantid: TENANT, ...overrides }) as CloudEvent;
}

function job() {
  return createDeliveryJob({ event_id: 'evt-1', tenant_id: TENANT, webhook_id: WEBHOOK, event_type: 'user-followed', body: { a: 1 } });
}

describe('events record', () => {
  it('round-trips a CloudEvent with its key, content type and webhook change counter', () => {
    const e = event();
    const record = encodeEventRecord(e, { webhooksSeq: 42 });
    expect(record.key).toBe(eventKey(e));
    expect(record.headers).toEqual({ 'content-type': 'application/cloudevents+json', [WEBHOOKS_SEQ_HEADER]: '42' });
    const decoded = decodeEventRecord(wire(record));
    expect(decoded).toMatchObject({ ok: true, record: { event: e, type: 'user-followed', family: 'notification', webhooksSeq: 42 } });
  });

  it('leaves the counter out when the producer has none', () => {
    const record = encodeEventRecord(event());
    expect(Object.keys(record.headers)).toEqual(['content-type']);
    const decoded = decodeEventRecord(wire(record));
    expect(decoded.ok && decoded.record.webhooksSeq).toBeUndefined();
  });

  describe('data validated by the producer (the gateway)', () => {
    // Data the catalogue refuses (user-followed requires its user objects), in an envelope that is fine.
    const badData = () => event({ data: { unexpected: true } });

    it('marks the record with the digest of the catalogue it validated against', () => {
      const record = encodeEventRecord(event(), { validated: true });
      expect(record.headers[VALIDATED_WITH_HEADER]).toBe(CATALOGUE_DIGEST);
      expect(CATALOGUE_DIGEST).toMatch(/^[0-9a-f]{16}$/);
      expect(encodeEventRecord(event()).headers[VALIDATED_WITH_HEADER]).toBeUndefined();
    });

    it('does not validate the data of a record marked with this catalogue again', () => {
      const decoded = decodeEventRecord(wire(encodeEventRecord(badData(), { validated: true })));
      expect(decoded).toMatchObject({ ok: true, record: { type: 'user-followed', family: 'notification' } });
    });

    it('validates the data of a record without the mark, or marked with another catalogue', () => {
      const unmarked = decodeEventRecord(wire(encodeEventRecord(badData())));
      expect(unmarked).toMatchObject({ ok: false, reason: 'invalid_data' });
      const other = encodeEventRecord(badData(), { validated: true });
      other.headers[VALIDATED_WITH_HEADER] = '0123456789abcdef';
      expect(decodeEventRecord(wire(other))).toMatchObject({ ok: false, reason: 'invalid_data' });
    });

    it('still validates the envelope and the type of a marked record', () => {
      const marked = (value: unknown) =>
        decodeEventRecord({ value: Buffer.from(JSON.stringify(value)), headers: { [VALIDATED_WITH_HEADER]: CATALOGUE_DIGEST } });
      expect(marked({ ...event(), type: 'no-such-type' })).toMatchObject({ ok: false, reason: 'unknown_type' });
      expect(marked({ ...event(), tenantid: 'acme' })).toMatchObject({ ok: false, reason: 'unknown_tenant' });
      expect(marked({ ...event(), time: 'yesterday' })).toMatchObject({ ok: false, reason: 'invalid_envelope' });
      // The envelope requires data to be an object; a problem at /data is classified as invalid_data.
      expect(marked({ ...event(), data: 'text' })).toMatchObject({ ok: false, reason: 'invalid_data' });
    });

    it('refuses text PostgreSQL cannot store even in a marked record (another producer, an older gateway), at its path', () => {
      const marked = (value: unknown) =>
        decodeEventRecord({ value: Buffer.from(JSON.stringify(value)), headers: { [VALIDATED_WITH_HEADER]: CATALOGUE_DIGEST } });
      expect(marked({ ...event(), data: { note: 'a\u0000b' } })).toMatchObject({
        ok: false,
        reason: 'invalid_data',
        errors: [{ path: '/data/note', rule: 'storableText' }],
      });
      expect(marked({ ...event(), subject: '\udc00' })).toMatchObject({ ok: false, reason: 'invalid_envelope', errors: [{ path: '/subject' }] });
      // A surrogate pair written as escapes is one character, and fine.
      const pair = Buffer.from(JSON.stringify({ ...event(), data: { note: 'PAIR' } }).replace('PAIR', '\\ud83d\\ude00'));
      const decoded = decodeEventRecord({ value: pair, headers: { [VALIDATED_WITH_HEADER]: CATALOGUE_DIGEST } });
      expect(decoded.ok && decoded.record.event.data).toEqual({ note: '\u{1F600}' });
    });
  });

  it("recognises the gateway's mark in a header of bytes or text, and only that catalogue's", () => {
    const value = Buffer.from(JSON.stringify(fixtures.envelope('user-mentioned', undefined, { tenantid: TENANT })));
    // Only a record taken as marked carries its data's text.
    const marked = (header: Buffer | string | (Buffer | string)[]) => {
      const decoded = decodeEventRecord({ value, headers: { [VALIDATED_WITH_HEADER]: header } });
      expect(decoded.ok).toBe(true);
      return decoded.ok && decoded.record.dataJson !== undefined;
    };
    expect(marked(CATALOGUE_DIGEST)).toBe(true);
    expect(marked(Buffer.from(CATALOGUE_DIGEST))).toBe(true);
    expect(marked([Buffer.from(CATALOGUE_DIGEST), 'other'])).toBe(true);
    // The same length, one bit off in the last byte.
    const other = Buffer.from(`${CATALOGUE_DIGEST.slice(0, -1)}${String.fromCharCode(CATALOGUE_DIGEST.charCodeAt(CATALOGUE_DIGEST.length - 1) ^ 1)}`);
    expect(marked(other)).toBe(false);
    expect(marked(other.toString())).toBe(false);
    expect(marked(Buffer.from(CATALOGUE_DIGEST.slice(1)))).toBe(false);
    expect(marked(Buffer.from(`${CATALOGUE_DIGEST} `))).toBe(false);
    expect(marked(['other', Buffer.from(CATALOGUE_DIGEST)])).toBe(false);
  });

  describe('the envelope of a marked record: hand-written checks of the attributes read, not the schema', () => {
    const marked = (value: unknown) => decodeEventRecord({ value: Buffer.from(JSON.stringify(value)), headers: { [VALIDATED_WITH_HEADER]: CATALOGUE_DIGEST } });
    const unmarked = (value: unknown) => decodeEventRecord({ value: Buffer.from(JSON.stringify(value)) });

    it.each(EVENT_TYPES)('accepts the %s fixture as the full validation does, with the same type and family', (type) => {
      const e = fixtures.envelope(type, undefined, { tenantid: TENANT, subject: 'subj', spotid: 'sp_1' });
      const full = validateEvent(e);
      expect(full.ok).toBe(true);
      // The hand-written checks also hand over the time they parsed.
      expect(validateMarkedEvent(e)).toEqual({ ...full, timeMs: Date.parse(e.time as string) });
      const m = marked(e);
      const u = unmarked(e);
      expect(m.ok && u.ok).toBe(true);
      if (!m.ok || !u.ok) return;
      // Only a marked record carries its data's text (the fixture's attributes come after its data) and its parsed time.
      const { dataJson, timeMs, ...record } = m.record;
      expect(record).toEqual(u.record);
      expect(dataJson).toBe(JSON.stringify(e.data));
      expect(timeMs).toBe(Date.parse(e.time as string));
      expect(new Date(timeMs!).toISOString()).toBe(new Date(e.time as string).toISOString());
    });

    const malformed: { what: string; change: (e: Record<string, unknown>) => void; reason: string; path: string }[] = [
      { what: 'no specversion', change: (e) => delete e.specversion, reason: 'invalid_envelope', path: '/specversion' },
      { what: 'another specversion', change: (e) => (e.specversion = '0.3'), reason: 'unsupported_version', path: '/specversion' },
      { what: 'no id', change: (e) => delete e.id, reason: 'invalid_envelope', path: '/id' },
      { what: 'a numeric id', change: (e) => (e.id = 42), reason: 'invalid_envelope', path: '/id' },
      { what: 'an empty id', change: (e) => (e.id = ''), reason: 'invalid_envelope', path: '/id' },
      { what: 'an id of 257 characters', change: (e) => (e.id = 'x'.repeat(257)), reason: 'invalid_envelope', path: '/id' },
      { what: 'an id with a control character', change: (e) => (e.id = 'a\u0007b'), reason: 'invalid_envelope', path: '/id' },
      { what: 'no source', change: (e) => delete e.source, reason: 'invalid_envelope', path: '/source' },
      { what: 'a source that is an object', change: (e) => (e.source = { uri: '/x' }), reason: 'invalid_envelope', path: '/source' },
      { what: 'a source of 2049 characters', change: (e) => (e.source = '/'.repeat(2049)), reason: 'invalid_envelope', path: '/source' },
      { what: 'no type', change: (e) => delete e.type, reason: 'invalid_envelope', path: '/type' },
      { what: 'a numeric type', change: (e) => (e.type = 7), reason: 'invalid_envelope', path: '/type' },
      { what: 'a type not in the catalogue', change: (e) => (e.type = 'no-such-type'), reason: 'unknown_type', path: '/type' },
      { what: 'a numeric time', change: (e) => (e.time = 1765000000), reason: 'invalid_envelope', path: '/time' },
      { what: 'a time that is no date-time', change: (e) => (e.time = 'yesterday'), reason: 'invalid_envelope', path: '/time' },
      { what: 'a date without its time', change: (e) => (e.time = '2026-12-06'), reason: 'invalid_envelope', path: '/time' },
      { what: 'a time out of range', change: (e) => (e.time = '2026-13-45T99:00:00Z'), reason: 'invalid_envelope', path: '/time' },
      { what: 'a subject that is a list', change: (e) => (e.subject = ['a']), reason: 'invalid_envelope', path: '/subject' },
      { what: 'an empty subject', change: (e) => (e.subject = ''), reason: 'invalid_envelope', path: '/subject' },
      { what: 'a subject with a newline', change: (e) => (e.subject = 'a\nb'), reason: 'invalid_envelope', path: '/subject' },
      { what: 'no tenant', change: (e) => delete e.tenantid, reason: 'missing_tenantid', path: '/tenantid' },
      { what: 'a numeric tenant', change: (e) => (e.tenantid = 12), reason: 'invalid_envelope', path: '/tenantid' },
      { what: 'a tenant that is no UUID', change: (e) => (e.tenantid = 'acme'), reason: 'unknown_tenant', path: '/tenantid' },
      { what: 'a spotid that is an object', change: (e) => (e.spotid = { id: 'sp' }), reason: 'invalid_envelope', path: '/spotid' },
      { what: 'no data', change: (e) => delete e.data, reason: 'invalid_data', path: '/data' },
      { what: 'data that is a list', change: (e) => (e.data = [1]), reason: 'invalid_data', path: '/data' },
      { what: 'data that is null', change: (e) => (e.data = null), reason: 'invalid_data', path: '/data' },
    ];
    it.each(malformed)('refuses a marked record with $what as the full validation does ($reason at $path)', ({ change, reason, path }) => {
      const e = { ...event() } as Record<string, unknown>;
      change(e);
      const refused = marked(e);
      expect(refused).toMatchObject({ ok: false, reason });
      expect(!refused.ok && refused.errors.map((x) => x.path)).toContain(path);
      expect(unmarked(e)).toMatchObject({ ok: false, reason });
    });

    it("keeps the JSON text of a marked record's data when it is the last member among scalars, and only then", () => {
      const { data, ...attributes } = event({ subject: 'has "data":{ in it', spotid: 'sp_1' });
      const e = { ...attributes, data } as CloudEvent; // data last, as the gateway writes it
      const text = JSON.stringify(e);
      const got = marked(e);
      expect(got.ok && got.record.dataJson).toBe(JSON.stringify(e.data));
      const notMarked = unmarked(e);
      expect(notMarked.ok && notMarked.record.dataJson).toBeUndefined();
      const withHeaders = (value: string) => decodeEventRecord({ value: Buffer.from(value), headers: { [VALIDATED_WITH_HEADER]: CATALOGUE_DIGEST } });
      // The gateway appends tenantid and time to a publisher's event that lacks them: after data.
      const { tenantid, time, ...rest } = e;
      for (const late of [
        { ...rest, tenantid },
        { ...rest, tenantid, time, n: 1.5, yes: true, none: null, note: 'é "q"' },
      ]) {
        const decoded = marked(late);
        expect(decoded.ok && decoded.record.dataJson).toBe(JSON.stringify(e.data));
      }
      for (const other of [
        JSON.stringify({ ...e, after: 1 }).replace(',"after":1', ',"after":1.0'), // a member after data written otherwise
        JSON.stringify({ ...e, 1: 'x' })
          .replace('{"1":"x",', '{')
          .replace(/}$/, ',"1":"x"}'), // a member the parsed object lists first
        JSON.stringify({ ...e, extra: { data: { a: 1 } } }), // an object-valued attribute
        `${text}\n`, // text after the object
        JSON.stringify(e, null, 1), // spacing
      ]) {
        const decoded = withHeaders(other);
        expect(decoded.ok).toBe(true);
        expect(decoded.ok && decoded.record.dataJson).toBeUndefined();
      }
      const empty = marked(event({ data: {} }));
      expect(empty.ok && empty.record.dataJson).toBe('{}');
    });

    it('refuses a marked value that is no JSON object', () => {
      expect(marked([1])).toMatchObject({ ok: false, reason: 'invalid_envelope' });
      expect(validateMarkedEvent('text')).toMatchObject({ ok: false, errors: [{ path: '' }] });
    });
  });

  it('reads a binary-mode event from ce_ headers', () => {
    const e = event();
    const binary = envelopeToBinary(e, 'ce_');
    const decoded = decodeEventRecord({ value: Buffer.from(binary.body), headers: binary.headers });
    expect(decoded.ok && decoded.record.event.id).toBe('evt-1');
  });

  it.each([
    { what: 'no value', value: null, reason: 'not_json' },
    { what: 'truncated JSON', value: '{"specversion": ', reason: 'not_json' },
    { what: 'an array', value: '[1]', reason: 'invalid_envelope' },
    { what: 'a type not in the catalogue', value: JSON.stringify({ ...event(), type: 'no-such-type' }), reason: 'unknown_type' },
    { what: 'no tenant', value: JSON.stringify({ ...event(), tenantid: undefined }), reason: 'missing_tenantid' },
    { what: 'a tenant that is no UUID', value: JSON.stringify({ ...event(), tenantid: 'acme' }), reason: 'unknown_tenant' },
    { what: 'another specversion', value: JSON.stringify({ ...event(), specversion: '0.3' }), reason: 'unsupported_version' },
  ])('refuses $what as $reason, with the paths of the problems', ({ value, reason }) => {
    const decoded = decodeEventRecord({ value: value === null ? null : Buffer.from(value) });
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.reason).toBe(reason);
    expect(decoded.errors.length).toBeGreaterThan(0);
  });
});

describe('events.invalid record', () => {
  const invalid = createInvalidEventRecord({
    reason: 'not_json',
    errors: [{ path: '', message: 'not valid JSON', rule: 'json' }],
    original: 'nope',
    source: { topic: 'p.events', partition: 1, offset: '42' },
    headers: { trace: Buffer.from('abc') },
  });

  it('is keyed by its origin and says its reason in a header', () => {
    const record = encodeInvalidEventRecord(invalid);
    expect(record.key).toBe('p.events:1:42');
    expect(record.headers).toEqual({ 'hookstream-record-type': 'invalid-event', 'hookstream-invalid-reason': 'not_json' });
    expect(decodeInvalidEventRecord(wire(record))).toEqual({ ok: true, record: invalid });
  });

  it('refuses what is not an invalid-event record', () => {
    expect(decodeInvalidEventRecord({ value: Buffer.from('{') })).toMatchObject({ ok: false, reason: 'not_json' });
    const wrong = decodeInvalidEventRecord({ value: Buffer.from(JSON.stringify({ ...invalid, reason: '' })) });
    expect(wrong).toMatchObject({ ok: false, reason: 'invalid_record' });
    expect(!wrong.ok && wrong.errors.map((e) => e.path)).toContain('/reason');
  });
});

describe('delivery-job record (deliveries and retry tiers)', () => {
  it('is keyed by webhook and carries the same headers from every producer', () => {
    const j = job();
    const record = encodeDeliveryJobRecord(j);
    expect(record.key).toBe(WEBHOOK);
    expect(record.headers).toEqual({
      'hookstream-record-type': 'delivery-job',
      'hookstream-delivery-id': j.delivery_id,
      'hookstream-tenant-id': TENANT,
      'hookstream-event-type': 'user-followed',
    });
    expect(decodeDeliveryJobRecord(wire(record))).toEqual({ ok: true, record: j });
  });

  it('marks a job queued again by a person with its origin', () => {
    expect(encodeDeliveryJobRecord(job(), { replay: 'cli' }).headers['hookstream-replay']).toBe('cli');
    expect(encodeDeliveryJobRecord(job(), { replay: 'api' }).headers['hookstream-replay']).toBe('api');
  });

  it('refuses unreadable jobs with the reason and the path', () => {
    expect(decodeDeliveryJobRecord({ value: Buffer.from('not json') })).toMatchObject({ ok: false, reason: 'not_json' });
    expect(decodeDeliveryJobRecord({ value: null })).toMatchObject({ ok: false, reason: 'not_json' });
    const noId = decodeDeliveryJobRecord({ value: Buffer.from('{"v":1,"delivery_id":"nope"}') });
    expect(noId).toMatchObject({ ok: false, reason: 'invalid_delivery_job' });
    const foreignIds = decodeDeliveryJobRecord({ value: Buffer.from(JSON.stringify({ ...job(), webhook_id: 'wh-1' })) });
    expect(foreignIds).toEqual({
      ok: false,
      reason: 'invalid_delivery_job',
      errors: [{ path: '/webhook_id', message: 'must be a UUID issued by this deployment', rule: 'format' }],
    });
    const future = decodeDeliveryJobRecord({ value: Buffer.from(JSON.stringify({ ...job(), v: 2 })) });
    expect(!future.ok && future.errors[0]!.path).toBe('/v');
  });
});

describe('deliveries.dlq records', () => {
  const letter = createDeadLetter({ ...job(), attempt: 3 }, 'retries_exhausted', [
    { attempt: 1, at: new Date(0).toISOString(), duration_ms: 5, status_code: 503 },
  ]);

  it('round-trips a dead letter, keyed by webhook, with its reason in a header', () => {
    const record = encodeDeadLetterRecord(letter);
    expect(record.key).toBe(WEBHOOK);
    expect(record.headers).toEqual({
      'hookstream-record-type': 'dead-letter',
      'hookstream-delivery-id': letter.job.delivery_id,
      'hookstream-tenant-id': TENANT,
      'hookstream-event-type': 'user-followed',
      'hookstream-dead-letter-reason': 'retries_exhausted',
    });
    expect(decodeDeadLetterRecord(wire(record))).toEqual({ ok: true, record: letter });
  });

  it('keeps an unreadable job under its own key and refuses it as a dead letter', () => {
    const unreadable = createInvalidEventRecord({
      reason: 'not_json',
      errors: [{ path: '', message: 'the message value is not JSON', rule: 'json' }],
      original: 'not json',
      source: { topic: 'p.deliveries', partition: 0, offset: '7' },
    });
    const record = encodeInvalidDeliveryJobRecord(unreadable, 'y');
    expect(record.key).toBe('y');
    expect(record.headers).toEqual({ 'hookstream-record-type': 'invalid-delivery-job', 'hookstream-invalid-reason': 'not_json' });
    expect(decodeDeadLetterRecord(wire(record))).toMatchObject({ ok: false, reason: 'invalid_dead_letter' });
    expect(decodeDeadLetterRecord({ value: Buffer.from('not json') })).toMatchObject({ ok: false, reason: 'not_json' });
  });
});

describe('headerStrings', () => {
  it('decodes UTF-8 and joins repeated headers', () => {
    expect(headerStrings({ a: Buffer.from('é'), b: ['1', Buffer.from('2')], c: undefined })).toEqual({ a: 'é', b: '1, 2' });
  });
});
