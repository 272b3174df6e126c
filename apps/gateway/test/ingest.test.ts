import { randomUUID } from 'node:crypto';
import { CATALOGUE_DIGEST, fixtures, readWebhooksSeq, VALIDATED_WITH_HEADER, WEBHOOKS_SEQ_HEADER } from '@hookstream/schemas';
import { webhookChangeSeq } from '@hookstream/store/testing';
import type { Collector } from '@hookstream/test-kit';
import { publishable } from './helpers/events.js';
import { startHarness, type Harness } from './helpers/harness.js';

describe('event ingest', () => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  let events: Collector;
  const onTopic = (id: string) => events.json<{ id: string }>().filter((e) => e.id === id);

  beforeAll(async () => {
    h = await startHarness({ EVENT_MAX_BYTES: '4096', BATCH_MAX_EVENTS: '5' });
    ({ api_key: key, id: tenantId } = await h.createTenant('publisher'));
    events = await h.kafka.consume(h.kafka.topics.events);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accepts a structured event (application/cloudevents+json) after the broker acknowledged, keyed by tenant and subject', async () => {
    const event = publishable('replied-message', { subject: 'conversation-42' });
    const r = await h.call('POST', '/v1/events', { key, raw: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json' } });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id: event.id });
    await events.waitFor(1);
    const msg = events.messages.find((m) => JSON.parse(m.value!.toString()).id === event.id)!;
    expect(msg.key!.toString()).toBe(`${tenantId}:conversation-42`);
    const published = JSON.parse(msg.value!.toString());
    expect(published).toMatchObject({
      specversion: '1.0',
      id: event.id,
      type: 'replied-message',
      tenantid: tenantId,
      subject: 'conversation-42',
      data: event.data,
    });
  });

  it('stamps each event with the webhook change counter of its claim, so the matcher knows how recent its webhooks must be', async () => {
    const counter = async () => webhookChangeSeq(h.pg.db);
    const before = await counter();
    const created = await h.call('POST', '/v1/webhooks', {
      key,
      body: { ...fixtures.webhookRequests.contentWebhook, object: `https://sample.jiveon.com/api/core/v3/places/${randomUUID()}` },
    });
    expect(created.status).toBe(201);
    const after = await counter();
    // One value per committed change, taken at commit.
    expect(after).toBe(before + 1);
    const event = publishable('replied-message');
    expect((await h.call('POST', '/v1/events', { key, body: event })).status).toBe(202);
    await waitUntil(() => events.messages.some((m) => JSON.parse(m.value!.toString()).id === event.id));
    const msg = events.messages.find((m) => JSON.parse(m.value!.toString()).id === event.id)!;
    expect(readWebhooksSeq(msg.headers?.[WEBHOOKS_SEQ_HEADER] as Buffer | undefined)).toBe(after);
    // Intake validated the data against this catalogue: the matcher checks only the envelope.
    expect(String(msg.headers?.[VALIDATED_WITH_HEADER])).toBe(CATALOGUE_DIGEST);
  });

  it('puts an accepted event on the events topic exactly once, even when published again with the same id', async () => {
    const event = publishable('user-mentioned', { subject: 'conversation-dup' });
    const first = await h.call('POST', '/v1/events', { key, body: event });
    const again = await h.call('POST', '/v1/events', { key, body: event });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    // A later event on the same key lands on the same partition after any copy of the first.
    const sentinel = publishable('user-mentioned', { subject: 'conversation-dup' });
    expect((await h.call('POST', '/v1/events', { key, body: sentinel })).status).toBe(202);
    await events.waitFor(1);
    await waitUntil(() => onTopic(sentinel.id as string).length === 1);
    expect(onTopic(event.id as string)).toHaveLength(1);
  });

  it('generates a missing id, and keys an event without subject on its id', async () => {
    const { id: _id, ...event } = publishable('liked-message');
    const r = await h.call('POST', '/v1/events', { key, body: event });
    expect(r.status).toBe(202);
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    await waitUntil(() => onTopic(r.body.id).length === 1);
    const msg = events.messages.find((m) => JSON.parse(m.value!.toString()).id === r.body.id)!;
    expect(msg.key!.toString()).toBe(`${tenantId}:${r.body.id}`);
  });

  it('accepts binary mode (ce-* headers, data as body) and publishes structured JSON', async () => {
    const event = publishable('user-followed');
    const id = randomUUID();
    const r = await h.call('POST', '/v1/events', {
      key,
      raw: JSON.stringify(event.data),
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': 'https://publisher.example/notifications',
        'ce-type': 'user-followed',
        'ce-subject': 'user%2042',
      },
    });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id });
    await waitUntil(() => onTopic(id).length === 1);
    const published = onTopic(id)[0] as Record<string, unknown>;
    expect(published).toMatchObject({
      specversion: '1.0',
      type: 'user-followed',
      source: 'https://publisher.example/notifications',
      subject: 'user 42',
      tenantid: tenantId,
      datacontenttype: 'application/json',
      data: event.data,
    });
  });

  it('publishes aliases under the canonical type', async () => {
    const event = publishable('liked-message', { type: 'liked-messages' });
    expect((await h.call('POST', '/v1/events', { key, body: event })).status).toBe(202);
    await waitUntil(() => onTopic(event.id as string).length === 1);
    expect(onTopic(event.id as string)[0]).toMatchObject({ type: 'liked-message' });
  });

  it('refuses an unknown type, invalid data and a foreign tenantid with 400 and JSON paths', async () => {
    const unknown = await h.call('POST', '/v1/events', { key, body: publishable('replied-message', { type: 'no-such-type' }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/unknown event type "no-such-type"/);
    expect(unknown.body.details).toContainEqual(expect.objectContaining({ path: '/type', rule: 'catalogue' }));

    const event = publishable('replied-message');
    delete (event.data as Record<string, unknown>).user;
    const invalid = await h.call('POST', '/v1/events', { key, body: event });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details).toContainEqual(expect.objectContaining({ path: '/data/user', rule: 'required' }));

    const foreign = await h.call('POST', '/v1/events', { key, body: publishable('replied-message', { tenantid: 'someone-else' }) });
    expect(foreign.status).toBe(400);
    expect(foreign.body.details).toEqual([expect.objectContaining({ path: '/tenantid' })]);

    const notObject = await h.call('POST', '/v1/events', { key, raw: '[1,2]', headers: { 'content-type': 'application/json' } });
    expect(notObject.status).toBe(400);
    expect(notObject.body.error).toMatch(/must be a JSON object/);
  });

  it('refuses text PostgreSQL cannot store (U+0000, an unpaired surrogate) and CloudEvents control characters at their path, and keeps serving the others', async () => {
    // A NUL in an id once reached the dedup claim and failed its statement with a 500 (CI, fuzz seed 1814709228).
    const headers = { 'content-type': 'application/cloudevents+json' };
    const nulId = await h.call('POST', '/v1/events', { key, raw: JSON.stringify({ ...publishable('liked-message'), id: 'a\u0000b' }), headers });
    expect(nulId.status).toBe(400);
    expect(nulId.body.details).toEqual([{ path: '/id', message: expect.stringMatching(/U\+0000/), rule: 'storableText' }]);

    const inData = publishable('liked-message');
    (inData.data as { user: { display_name: string } }).user.display_name = 'Ann\ud800';
    const surrogate = await h.call('POST', '/v1/events', { key, raw: JSON.stringify(inData), headers });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.details).toEqual([expect.objectContaining({ path: '/data/user/display_name', rule: 'storableText' })]);

    const control = await h.call('POST', '/v1/events', { key, body: publishable('liked-message', { subject: 'line\none' }) });
    expect(control.status).toBe(400);
    expect(control.body.details).toEqual([
      expect.objectContaining({ path: '/subject', message: expect.stringMatching(/control characters/), rule: 'pattern' }),
    ]);

    // Binary mode: a percent-encoded NUL in a header, a NUL in the data.
    const binary = (ceId: string, data: string) =>
      h.call('POST', '/v1/events', {
        key,
        raw: data,
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': ceId,
          'ce-source': 'https://publisher.example/x',
          'ce-type': 'user-followed',
        },
      });
    const data = publishable('user-followed').data as Record<string, unknown>;
    expect((await binary('id%00', JSON.stringify(data))).body.details).toEqual([expect.objectContaining({ path: '/id', rule: 'pattern' })]);
    const text = Object.keys(data).find((k) => typeof data[k] === 'string')!;
    const nulData = await binary(randomUUID(), JSON.stringify({ ...data, [text]: 'x\u0000' }));
    expect(nulData.status).toBe(400);
    expect(nulData.body.details).toEqual([expect.objectContaining({ path: `/data/${text}`, rule: 'storableText' })]);

    // In a batch only the item is refused; a literal backslash-u is not an escape and is kept.
    const fine = publishable('liked-message');
    (fine.data as { user: { display_name: string } }).user.display_name = 'C:\\u0000dir';
    const batch = await h.call('POST', '/v1/events/batch', {
      key,
      raw: JSON.stringify([{ ...publishable('liked-message'), id: 'x\u0000' }, fine]),
      headers: { 'content-type': 'application/cloudevents-batch+json' },
    });
    expect(batch.status).toBe(207);
    expect(batch.body.results).toEqual([
      expect.objectContaining({ index: 0, status: 'rejected', code: 400, details: [expect.objectContaining({ path: '/id', rule: 'storableText' })] }),
      { index: 1, id: fine.id, status: 'accepted', duplicate: false },
    ]);
    await waitUntil(() => onTopic(fine.id as string).length === 1);
    expect((onTopic(fine.id as string)[0] as unknown as { data: { user: { display_name: string } } }).data.user.display_name).toBe('C:\\u0000dir');

    // Control-plane bodies and path parameters.
    const webhook = await h.call('POST', '/v1/webhooks', {
      key,
      raw: JSON.stringify({ ...fixtures.webhookRequests.contentWebhook, description: 'a\u0000b' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(webhook.status).toBe(400);
    expect(webhook.body.details).toEqual([expect.objectContaining({ path: '/description', rule: 'storableText' })]);
    const lookup = await h.call('GET', '/v1/events/a%00b', { key });
    expect(lookup.status).toBe(400);
    expect(lookup.body.details).toEqual([expect.objectContaining({ path: '/path/id', rule: 'storableText' })]);
  });

  it('answers malformed JSON with 400 naming the position, without echoing the input', async () => {
    const r = await h.call('POST', '/v1/events', {
      key,
      raw: '{"specversion": "1.0", "id": secret-value}',
      headers: { 'content-type': 'application/cloudevents+json' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('malformed JSON at position 29 (line 1, column 30): unexpected character "s"');
    expect(r.text).not.toContain('secret-value');
    const binary = await h.call('POST', '/v1/events', {
      key,
      raw: '{"a":',
      headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-type': 'user-followed', 'ce-source': 'x' },
    });
    expect(binary.status).toBe(400);
    expect(binary.body.error).toMatch(/^malformed JSON at position 5 .*unexpected end of input/);
    const empty = await h.call('POST', '/v1/events', { key, raw: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatch(/empty/);
  });

  it('answers 413 for an event over the limit and 415 for an unsupported content type', async () => {
    const big = publishable('replied-message');
    (big.data as Record<string, unknown>).padding = 'x'.repeat(5000);
    const tooLarge = await h.call('POST', '/v1/events', { key, body: big });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatch(/limit is 4096 bytes/);
    const hugeBody = await h.call('POST', '/v1/events', { key, raw: 'x'.repeat(64 * 1024), headers: { 'content-type': 'application/json' } });
    expect(hugeBody.status).toBe(413);
    const text = await h.call('POST', '/v1/events', { key, raw: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body.error).toMatch(/unsupported content type "text\/plain"/);
    const none = await h.call('POST', '/v1/events', { key, raw: '{}' });
    expect(none.status).toBe(415);
    const binaryXml = await h.call('POST', '/v1/events', { key, raw: '<a/>', headers: { 'content-type': 'application/xml', 'ce-specversion': '1.0' } });
    expect(binaryXml.status).toBe(415);
    // The process survived all of it.
    expect((await h.call('GET', '/healthz')).status).toBe(200);
  });

  it('refuses on the direct routes exactly what the routes refuse through Express (/v1/events/, /v1/events/batch/): status, headers and JSON body', async () => {
    // POST /v1/events is served before Express; the trailing-slash spelling reaches the same
    // route entry through Express, so each refusal is compared with the Express answer.
    const readOnly = (await h.call('POST', '/v1/api-keys', { key, body: { scopes: ['read'] } })).body.api_key as string;
    expect(readOnly).toMatch(/^hs_/);
    const deep = publishable('replied-message');
    (deep.data as Record<string, unknown>).nested = JSON.parse('['.repeat(70) + ']'.repeat(70));
    const missingUser = publishable('replied-message');
    delete (missingUser.data as Record<string, unknown>).user;
    const big = publishable('replied-message');
    (big.data as Record<string, unknown>).padding = 'x'.repeat(5000);
    const json = { 'content-type': 'application/json' };
    const binary = { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-type': 'user-followed', 'ce-source': 'x', 'ce-id': 'b-1' };
    const cases: [string, { key?: string; raw?: string; headers?: Record<string, string> }][] = [
      ['no key', { raw: JSON.stringify(publishable()), headers: json }],
      ['unknown key', { key: `hs_${'z'.repeat(43)}`, raw: JSON.stringify(publishable()), headers: json }],
      ['not a bearer token', { raw: '{}', headers: { ...json, authorization: 'Basic abc' } }],
      ['key without publish scope', { key: readOnly, raw: JSON.stringify(publishable()), headers: json }],
      ['unknown type', { key, raw: JSON.stringify(publishable('replied-message', { type: 'no-such-type' })), headers: json }],
      ['invalid data', { key, raw: JSON.stringify(missingUser), headers: json }],
      ['foreign tenantid', { key, raw: JSON.stringify(publishable('replied-message', { tenantid: 'someone-else' })), headers: json }],
      ['reserved source', { key, raw: JSON.stringify(publishable('replied-message', { source: 'hookstream/x' })), headers: json }],
      ['not an object', { key, raw: '[1,2]', headers: json }],
      ['malformed', { key, raw: '{"id": secret-value}', headers: json }],
      ['empty', { key, raw: '', headers: json }],
      ['too deep', { key, raw: JSON.stringify(deep), headers: json }],
      ['data too large', { key, raw: JSON.stringify(big), headers: json }],
      ['body too large', { key, raw: 'x'.repeat(64 * 1024), headers: json }],
      ['text/plain', { key, raw: 'hello', headers: { 'content-type': 'text/plain' } }],
      ['no content type', { key, raw: '{}' }],
      ['binary, xml data', { key, raw: '<a/>', headers: { ...binary, 'content-type': 'application/xml' } }],
      ['binary, malformed data', { key, raw: '{"a":', headers: binary }],
    ];
    const answer = async (path: string, opts: (typeof cases)[number][1]) => {
      const r = await h.call('POST', path, opts);
      const headers: Record<string, string> = {};
      r.headers.forEach((v, k) => {
        if (k !== 'date') headers[k] = v;
      });
      return { status: r.status, headers, text: r.text };
    };
    for (const [name, opts] of cases) {
      const direct = await answer('/v1/events', opts);
      const viaExpress = await answer('/v1/events/', opts);
      expect({ name, ...direct }).toEqual({ name, ...viaExpress });
      expect([name, direct.status]).toEqual([name, expect.any(Number)]);
      expect(direct.status).toBeGreaterThanOrEqual(400);
    }
    const deepAnswer = await answer('/v1/events', cases.find(([n]) => n === 'too deep')![1]);
    expect(JSON.parse(deepAnswer.text).details[0].path).toMatch(/^\/data\/nested(\/0)+$/);

    // POST /v1/events/batch likewise.
    const batchType = { 'content-type': 'application/cloudevents-batch+json' };
    const batchCases: [string, { key?: string; raw?: string; headers?: Record<string, string> }][] = [
      ['batch, no key', { raw: JSON.stringify([publishable()]), headers: batchType }],
      ['batch, key without publish scope', { key: readOnly, raw: JSON.stringify([publishable()]), headers: batchType }],
      ['batch, every item invalid', { key, raw: JSON.stringify([missingUser, 'text', publishable('replied-message', { type: 'x' })]), headers: batchType }],
      ['batch, not an array', { key, raw: JSON.stringify(publishable()), headers: batchType }],
      ['batch, empty', { key, raw: '[]', headers: batchType }],
      ['batch, too many', { key, raw: JSON.stringify(Array.from({ length: 6 }, () => missingUser)), headers: batchType }],
      ['batch, malformed', { key, raw: '[{"id": secret-value}]', headers: batchType }],
      ['batch, text/plain', { key, raw: '[]', headers: { 'content-type': 'text/plain' } }],
    ];
    for (const [name, opts] of batchCases) {
      const direct = await answer('/v1/events/batch', opts);
      const viaExpress = await answer('/v1/events/batch/', opts);
      expect({ name, ...direct }).toEqual({ name, ...viaExpress });
      expect([name, direct.status >= 400]).toEqual([name, true]);
    }
  });

  it('publishes a batch in one request with per-item results (valid items accepted, invalid ones reported by index)', async () => {
    const a = publishable('replied-message', { subject: 'c-1' });
    const b = publishable('replied-message', { type: 'nope' });
    const c = publishable('user-followed');
    const r = await h.call('POST', '/v1/events/batch', {
      key,
      raw: JSON.stringify([a, b, 'not an event', c, a]),
      headers: { 'content-type': 'application/cloudevents-batch+json' },
    });
    expect(r.status).toBe(207);
    expect(r.body.accepted).toBe(3);
    expect(r.body.rejected).toBe(2);
    expect(r.body.results).toEqual([
      { index: 0, id: a.id, status: 'accepted', duplicate: false },
      expect.objectContaining({ index: 1, id: b.id, status: 'rejected', code: 400, details: [expect.objectContaining({ path: '/type' })] }),
      expect.objectContaining({ index: 2, status: 'rejected', code: 400, error: expect.stringMatching(/JSON object/) }),
      { index: 3, id: c.id, status: 'accepted', duplicate: false },
      { index: 4, id: a.id, status: 'accepted', duplicate: true },
    ]);
    await waitUntil(() => onTopic(a.id as string).length === 1 && onTopic(c.id as string).length === 1);
    expect(onTopic(b.id as string)).toHaveLength(0);

    const again = await h.call('POST', '/v1/events/batch', {
      key,
      raw: JSON.stringify([a]),
      headers: { 'content-type': 'application/cloudevents-batch+json' },
    });
    expect(again.status).toBe(202);
    expect(again.body.results).toEqual([{ index: 0, id: a.id, status: 'accepted', duplicate: true }]);
  });

  it('refuses a batch that is over the count limit, not an array, all invalid, or of another content type', async () => {
    const headers = { 'content-type': 'application/cloudevents-batch+json' };
    const many = Array.from({ length: 6 }, () => publishable('user-followed'));
    const tooMany = await h.call('POST', '/v1/events/batch', { key, raw: JSON.stringify(many), headers });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error).toMatch(/6 events; the limit is 5/);
    expect((await h.call('POST', '/v1/events/batch', { key, raw: '{}', headers })).status).toBe(400);
    expect((await h.call('POST', '/v1/events/batch', { key, raw: '[]', headers })).status).toBe(400);
    expect((await h.call('POST', '/v1/events/batch', { key, raw: '[{"a":1}', headers })).body.error).toMatch(/malformed JSON at position 8/);
    const allBad = await h.call('POST', '/v1/events/batch', { key, raw: JSON.stringify([{ specversion: '1.0' }]), headers });
    expect(allBad.status).toBe(400);
    expect(allBad.body.results[0]).toMatchObject({ index: 0, status: 'rejected' });
    expect((await h.call('POST', '/v1/events/batch', { key, raw: '[]', headers: { 'content-type': 'text/csv' } })).status).toBe(415);
  });

  it('shows an accepted event before and after the matcher indexed it (GET /v1/events/{id})', async () => {
    const event = publishable('user-followed');
    await h.call('POST', '/v1/events', { key, body: event });
    const before = await h.call('GET', `/v1/events/${event.id}`, { key });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ id: event.id, status: 'accepted', matched: false, deliveries: [] });
    expect((await h.call('GET', `/v1/events/${randomUUID()}`, { key })).status).toBe(404);
  });

  it('answers concurrent requests that share ids in different orders, and every id is accepted and then a duplicate', async () => {
    const shared = Array.from({ length: 5 }, () => publishable('user-followed'));
    const headers = { 'content-type': 'application/cloudevents-batch+json' };
    const orders = Array.from({ length: 12 }, (_, i) => (i % 2 ? [...shared].reverse() : [...shared.slice(i % 5), ...shared.slice(0, i % 5)]));
    const answers = await Promise.all(orders.map((batch) => h.call('POST', '/v1/events/batch', { key, raw: JSON.stringify(batch), headers })));
    expect(answers.map((r) => r.status)).toEqual(orders.map(() => 202));
    for (const e of shared) {
      // Accepted means confirmed: readable at once, and from now on a duplicate.
      expect((await h.call('GET', `/v1/events/${e.id}`, { key })).status).toBe(200);
      await waitUntil(() => onTopic(e.id as string).length >= 1);
    }
    // Every copy the twelve requests produced (all acknowledged before their 202) is counted.
    await events.caughtUp();
    const copies = shared.map((e) => onTopic(e.id as string).length);
    const again = await h.call('POST', '/v1/events/batch', { key, raw: JSON.stringify(shared), headers });
    expect(again.body.results.map((x: { duplicate: boolean }) => x.duplicate)).toEqual(shared.map(() => true));
    const sentinel = publishable('user-followed');
    expect((await h.call('POST', '/v1/events', { key, body: sentinel })).status).toBe(202);
    await waitUntil(() => onTopic(sentinel.id as string).length === 1);
    expect(shared.map((e) => onTopic(e.id as string).length)).toEqual(copies);
  });

  it('answers concurrent single-event requests (group commit) with 202 only for events in Kafka, and a retry right after the 202 is a duplicate', async () => {
    const batch = Array.from({ length: 40 }, () => publishable('user-followed'));
    const first = await Promise.all(batch.map((e) => h.call('POST', '/v1/events', { key, body: e })));
    expect(first.map((r) => r.status)).toEqual(batch.map(() => 202));
    // Each retry is sent the moment its 202 is in: acknowledged ids are duplicates at once.
    const retries = await Promise.all(batch.map((e) => h.call('POST', '/v1/events', { key, body: e })));
    expect(retries.map((r) => r.status)).toEqual(batch.map(() => 202));
    expect(retries.map((r) => r.body.id)).toEqual(batch.map((e) => e.id));
    const readable = await Promise.all(batch.map((e) => h.call('GET', `/v1/events/${e.id}`, { key })));
    expect(readable.map((r) => r.status)).toEqual(batch.map(() => 200));
    const sentinel = publishable('user-followed');
    expect((await h.call('POST', '/v1/events', { key, body: sentinel })).status).toBe(202);
    await waitUntil(() => onTopic(sentinel.id as string).length === 1);
    for (const e of batch) await waitUntil(() => onTopic(e.id as string).length >= 1);
    expect(batch.map((e) => onTopic(e.id as string).length)).toEqual(batch.map(() => 1));
  });

  it('counts accepted and rejected events by type and reason in /metrics', async () => {
    const text = await (await fetch(`${h.app.opsUrl}/metrics`)).text();
    expect(text).toMatch(/hookstream_gateway_events_accepted_total\{type="replied-message",service="gateway"\} [1-9]/);
    expect(text).toMatch(/hookstream_gateway_events_rejected_total\{reason="unknown_type",service="gateway"\} [1-9]/);
    expect(text).toMatch(/hookstream_gateway_events_rejected_total\{reason="malformed_json",service="gateway"\} [1-9]/);
    expect(text).toMatch(/hookstream_gateway_http_requests_total\{route="\/v1\/events",method="POST",status="202",service="gateway"\} [1-9]/);
    expect(text).toMatch(/hookstream_gateway_http_request_duration_seconds_bucket\{le="0.1",service="gateway",route="\/v1\/events\/batch",method="POST"\}/);
    expect(text).toMatch(/hookstream_gateway_http_requests_total\{route="\/v1\/events\/\{id\}",method="GET",status="404",service="gateway"\} 1/);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
