import {
  CloudEventSchema,
  envelopeFromBinary,
  envelopeToBinary,
  EVENT_TYPES,
  fixtures,
  MAX_BATCH_EVENTS,
  MAX_EVENT_DATA_BYTES,
  eventDataByteLength,
  validate,
  validateEvent,
} from '../src/index.js';

const errorsOf = (envelope: unknown) => {
  const r = validateEvent(envelope);
  return r.ok ? [] : r.errors;
};

describe('CloudEvents envelope', () => {
  it.each(EVENT_TYPES)('the %s fixture envelope validates with its family', (type) => {
    const r = validateEvent(fixtures.envelope(type));
    expect(r.ok ? [] : r.errors).toEqual([]);
    expect(r.ok && r.type).toBe(type);
  });

  it('requires tenantid and the core attributes', () => {
    const e: Record<string, unknown> = fixtures.envelope('user-followed');
    delete e.tenantid;
    delete e.specversion;
    expect(errorsOf(e)).toEqual([
      { path: '/specversion', message: "must have required property 'specversion'", rule: 'required' },
      { path: '/tenantid', message: "must have required property 'tenantid'", rule: 'required' },
    ]);
  });

  it('time and subject are optional; time must be RFC 3339', () => {
    const e: Record<string, unknown> = fixtures.envelope('user-followed');
    delete e.time;
    expect(errorsOf(e)).toEqual([]);
    expect(errorsOf({ ...e, time: 'yesterday' })).toEqual([expect.objectContaining({ path: '/time', rule: 'format' })]);
    expect(errorsOf({ ...e, subject: 'article/123' })).toEqual([]);
  });

  it('rejects an unknown type by naming /type', () => {
    expect(errorsOf(fixtures.envelope('user-poked', {}))).toEqual([
      { path: '/type', message: "unknown event type 'user-poked': not in the event catalogue", rule: 'catalogue' },
    ]);
  });

  it('rejects another specversion with a clear message', () => {
    expect(errorsOf(fixtures.envelope('user-followed', undefined, { specversion: '2.0' }))).toEqual([
      { path: '/specversion', message: 'unsupported CloudEvents specversion "2.0"; this reader understands "1.0"', rule: 'version' },
    ]);
  });

  it('accepts extension attributes with valid names and scalar values', () => {
    const e = fixtures.envelope('user-followed', undefined, {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      partitionkey: 'u_1',
      retries: 3,
      replay: true,
    });
    expect(errorsOf(e)).toEqual([]);
  });

  it('rejects extension attributes with invalid names or non-scalar values', () => {
    const e = fixtures.envelope('user-followed', undefined, { data_base64: 'e30=', TraceParent: 'x', averyveryverylongattributename: 'x', meta: { a: 1 } });
    expect(errorsOf(e)).toEqual([
      { path: '/data_base64', message: 'CloudEvents attribute names must be 1-20 lower-case letters or digits (^[a-z0-9]{1,20}$)', rule: 'propertyNames' },
      { path: '/TraceParent', message: 'CloudEvents attribute names must be 1-20 lower-case letters or digits (^[a-z0-9]{1,20}$)', rule: 'propertyNames' },
      {
        path: '/averyveryverylongattributename',
        message: 'CloudEvents attribute names must be 1-20 lower-case letters or digits (^[a-z0-9]{1,20}$)',
        rule: 'propertyNames',
      },
      { path: '/meta', message: 'must be string or integer or boolean', rule: 'type' },
    ]);
  });

  it('requires JSON data of a JSON media type', () => {
    expect(errorsOf(fixtures.envelope('user-followed', undefined, { datacontenttype: 'application/cloudevents+json; charset=utf-8' }))).toEqual([]);
    expect(errorsOf(fixtures.envelope('user-followed', undefined, { datacontenttype: 'text/plain' }))).toEqual([
      { path: '/datacontenttype', message: 'must be a JSON media type (application/json or application/*+json)', rule: 'pattern' },
    ]);
    expect(errorsOf(fixtures.envelope('user-followed', 'hello'))).toEqual([{ path: '/data', message: 'must be object', rule: 'type' }]);
  });

  it('reports envelope and data problems together', () => {
    const e = fixtures.envelope('user-followed', undefined, { id: '' });
    delete (e.data as Record<string, unknown>).user;
    expect(errorsOf(e).map((x) => x.path)).toEqual(['/id', '/data/user']);
  });

  it('rejects non-objects', () => {
    expect(errorsOf(null)).toEqual([{ path: '', message: 'must be object', rule: 'type' }]);
    expect(errorsOf([])).toEqual([{ path: '', message: 'must be object', rule: 'type' }]);
  });

  it('exports the size limits', () => {
    expect(MAX_EVENT_DATA_BYTES).toBe(262_144);
    expect(MAX_BATCH_EVENTS).toBe(500);
    expect(eventDataByteLength({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
  });
});

describe('binary mode', () => {
  const event = fixtures.envelope('replied-message', undefined, { subject: 'comment 42 "quoted" ünïcode', traceparent: '00-abc-01' });

  it('reads Kafka ce_ headers and a Buffer value into the structured form', () => {
    const { headers, body } = envelopeToBinary(event, 'ce_');
    expect(headers.ce_subject).toBe('comment 42 "quoted" ünïcode');
    expect(headers['content-type']).toBe('application/json');
    const structured = envelopeFromBinary(headers, Buffer.from(body), 'ce_');
    expect(structured).toEqual(event);
    expect(validateEvent(structured).ok).toBe(true);
  });

  it('reads HTTP ce- headers (any case, percent-encoded) and a string body', () => {
    const { headers, body } = envelopeToBinary(event, 'ce-');
    expect(headers['ce-subject']).toBe('comment%2042%20%22quoted%22%20%C3%BCn%C3%AFcode');
    const shouted = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/^ce-/, 'Ce-').replace('content-type', 'Content-Type'), v]));
    expect(envelopeFromBinary(shouted, body, 'ce-')).toEqual(event);
  });

  it('keeps already-parsed data, ignores other headers and undefined values', () => {
    const structured = envelopeFromBinary(
      {
        ce_specversion: '1.0',
        ce_id: 'e1',
        ce_source: '/s',
        ce_type: 'user-followed',
        ce_tenantid: 't1',
        'ce-other': 'x',
        authorization: 'Bearer x',
        ce_time: undefined,
      },
      { a: 1 },
      'ce_',
    );
    expect(structured).toEqual({ specversion: '1.0', id: 'e1', source: '/s', type: 'user-followed', tenantid: 't1', data: { a: 1 } });
  });

  it('leaves unparseable data as a string so validation names /data', () => {
    const structured = envelopeFromBinary(
      { ce_specversion: '1.0', ce_id: 'e1', ce_source: '/s', ce_type: 'user-followed', ce_tenantid: 't1' },
      Buffer.from('{oops'),
      'ce_',
    );
    expect(structured.data).toBe('{oops');
    expect(errorsOf(structured)).toContainEqual({ path: '/data', message: 'must be object', rule: 'type' });
  });

  it('the CloudEvent schema is the one validateEvent uses for the envelope', () => {
    expect(validate(CloudEventSchema, event).ok).toBe(true);
  });
});
