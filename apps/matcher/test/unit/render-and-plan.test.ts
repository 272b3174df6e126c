import { deliveryId, fixtures, validateDeliveryJob, validateInvalidEventRecord, type DeliveryJob, type InvalidEventRecord } from '@hookstream/schemas';
import { decodeEventMessage } from '../../src/intake/decode.js';
import { MAX_ORIGINAL_BYTES, planMessages } from '../../src/jobs/plan.js';
import { SubscriptionIndex } from '../../src/matching/subscription-index.js';
import { renderForWebhook } from '../../src/render/body.js';
import { accepted, entity, notification, record, TENANT } from './records.js';

const source = { topic: 't.events', partition: 1 };

describe('rendering', () => {
  it('notification body: data + event_id (given or the CloudEvent id) + canonical type + filtered channels', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const w = record(notification(['liked-message']));
    index.upsert(w);
    const data = fixtures.eventData('liked-message');
    delete data.event_id;
    data.type = 'liked-messages';
    const ev = accepted('liked-messages', data);
    const body = renderForWebhook(ev, { subscriber: index.notificationBucket(TENANT, 'liked-message', 'email')!.anySpot.get(w.id)!, channels: ['email'] });
    expect(body).toEqual({ ...data, event_id: ev.event.id, type: 'liked-message', channels: ['email'] });
  });

  it('activity body: data + webhook URI', () => {
    const index = new SubscriptionIndex('https://hs.example/base/');
    const w = record(entity('webhook'));
    index.upsert(w);
    const ev = accepted('jive:webhook_created');
    expect(renderForWebhook(ev, { subscriber: index.systemSubscribers(TENANT, 'webhook').get(w.id)! })).toEqual({
      ...ev.event.data,
      webhook: `https://hs.example/base/v1/webhooks/${w.id}`,
    });
  });
});

describe('planMessages', () => {
  it('turns a slice into valid jobs keyed by webhook id, skipped rows for buggy webhooks, index rows and invalid records', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const ok = record(entity('user_session'));
    const buggy = record(entity('user_session'), { buggy: true });
    index.upsert(ok);
    index.upsert(buggy);
    const ev = accepted('jive:user_session_logout').event;
    const plan = planMessages(
      [
        { offset: '41', value: Buffer.from(JSON.stringify(ev)), timestamp: '1700000000000' },
        { offset: '42', value: Buffer.from('nope'), headers: { trace: Buffer.from('abc') } },
      ],
      source,
      index,
    );
    expect(plan.jobs).toHaveLength(1);
    expect(plan.jobs[0]!.key).toBe(ok.id);
    const job = JSON.parse(plan.jobs[0]!.value) as DeliveryJob;
    expect(validateDeliveryJob(job).ok).toBe(true);
    expect(job).toMatchObject({ delivery_id: deliveryId(ev.id, ok.id), event_id: ev.id, trace: { published_at: 1700000000000 } });
    expect(plan.skipped).toEqual([expect.objectContaining({ id: deliveryId(ev.id, buggy.id), status: 'skipped', webhook_id: buggy.id })]);
    expect(plan.eventRows).toEqual([expect.objectContaining({ id: ev.id, tenant_id: TENANT, matched_webhooks: [ok.id, buggy.id] })]);
    expect(plan.stats).toMatchObject({ consumed: 2, matched: 1, fanouts: [1], invalid: ['not_json'], skipped: 1 });
    const inv = JSON.parse(plan.invalid[0]!.value) as InvalidEventRecord;
    expect(validateInvalidEventRecord(inv).ok).toBe(true);
    expect(inv).toMatchObject({ reason: 'not_json', source: { topic: 't.events', partition: 1, offset: '42' }, headers: { trace: 'abc' } });
    expect(Buffer.from(inv.original_base64, 'base64').toString()).toBe('nope');
  });

  it('issue 19.2: jobs of a FIFO webhook carry the ordering key (the subject; "" without one, the tenant key), keyed by webhook id; others carry none', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const ordered = record(entity('user_session', undefined), {});
    ordered.spec = { ...ordered.spec, ordering: 'fifo' };
    const plain = record(entity('user_session'));
    index.upsert(ordered);
    index.upsert(plain);
    const withSubject = accepted('jive:user_session_logout', undefined, { subject: 'users/42' }).event;
    const without = accepted('jive:user_session_logout').event;
    expect(without.subject).toBeUndefined();
    const plan = planMessages(
      [withSubject, without].map((ev, i) => ({ offset: String(i), value: Buffer.from(JSON.stringify(ev)) })),
      source,
      index,
    );
    const jobs = plan.jobs.map((j) => ({ key: j.key, job: JSON.parse(j.value) as DeliveryJob }));
    for (const { job } of jobs) expect(validateDeliveryJob(job).ok).toBe(true);
    const of = (id: string) => jobs.filter((j) => j.job.webhook_id === id);
    expect(of(ordered.id).map((j) => [j.key, j.job.event_id, j.job.ordering_key])).toEqual([
      [ordered.id, withSubject.id, 'users/42'],
      [ordered.id, without.id, ''],
    ]);
    expect(of(plain.id).map((j) => j.job.ordering_key)).toEqual([undefined, undefined]);
  });

  it('is deterministic: the same slice gives the same delivery ids', () => {
    const index = new SubscriptionIndex('https://hs.example');
    index.upsert(record(entity('user_account')));
    const msg = { offset: '0', value: Buffer.from(JSON.stringify(accepted('jive:user_account_created').event)) };
    const ids = () => planMessages([msg], source, index).jobs.map((j) => (JSON.parse(j.value) as DeliveryJob).delivery_id);
    expect(ids()).toEqual(ids());
  });

  it('dead-letters an event whose matching throws (reason processing_error) and still plans the others', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const ok = record(notification(['user-followed']));
    index.upsert(ok);
    index.systemSubscribers = () => {
      throw new Error('boom');
    };
    const system = accepted('jive:user_account_created').event;
    const notif = accepted('user-followed', { ...fixtures.eventData('user-followed'), channels: ['email'] }).event;
    const plan = planMessages(
      [
        { offset: '1', value: Buffer.from(JSON.stringify(system)) },
        { offset: '2', value: Buffer.from(JSON.stringify(notif)) },
      ],
      source,
      index,
    );
    expect(plan.invalid.map((m) => (JSON.parse(m.value) as InvalidEventRecord).reason)).toEqual(['processing_error']);
    expect(JSON.parse(plan.invalid[0]!.value).errors[0].message).toContain('boom');
    expect(plan.jobs.map((j) => j.key)).toEqual([ok.id]);
    expect(plan.eventRows.map((r) => r.id)).toEqual([notif.id]);
  });

  it('truncates an oversized original so the invalid record still fits in a Kafka message', () => {
    const big = Buffer.alloc(MAX_ORIGINAL_BYTES + 10, 0x61);
    const plan = planMessages([{ offset: '7', value: big }], source, new SubscriptionIndex('https://hs.example'));
    const inv = JSON.parse(plan.invalid[0]!.value) as InvalidEventRecord;
    expect(Buffer.from(inv.original_base64, 'base64').length).toBe(MAX_ORIGINAL_BYTES);
    expect(inv.errors.map((e) => e.rule)).toContain('too_large');
  });
});

describe('decodeEventMessage', () => {
  const ev = () => accepted('jive:user_session_login').event;
  it('accepts structured and binary mode', () => {
    expect(decodeEventMessage({ value: Buffer.from(JSON.stringify(ev())) }).ok).toBe(true);
    const e = ev();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(e)) if (k !== 'data') headers[`ce_${k}`] = String(v);
    const d = decodeEventMessage({ value: Buffer.from(JSON.stringify(e.data)), headers });
    expect(d.ok && d.event.id).toBe(e.id);
  });

  it.each([
    ['empty value', null, 'not_json', ''],
    ['array', '[1]', 'invalid_envelope', ''],
    ['wrong specversion', JSON.stringify({ ...accepted('jive:user_session_login').event, specversion: '0.3' }), 'unsupported_version', '/specversion'],
    ['missing id', JSON.stringify({ ...accepted('jive:user_session_login').event, id: undefined }), 'invalid_envelope', '/id'],
  ])('rejects %s', (_name, value, reason, path) => {
    const d = decodeEventMessage({ value: value === null ? null : Buffer.from(value) });
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.reason).toBe(reason);
      expect(d.errors.map((e) => e.path)).toContain(path);
    }
  });
});

describe('payload filters (issue 19.1)', () => {
  const approvedOnly = { data: { comment: { state: { $in: ['approved'] } } } };

  it('a filter that rejects an event creates no job; the index row names the webhook as filtered and the stats count it', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const filtered = record(notification(['message-approved', 'message-rejected'], [], { filter: approvedOnly }));
    const plain = record(notification(['message-approved', 'message-rejected']));
    index.upsert(filtered);
    index.upsert(plain);
    const approved = accepted('message-approved').event;
    const rejected = accepted('message-rejected').event;
    const plan = planMessages(
      [
        { offset: '1', value: Buffer.from(JSON.stringify(approved)) },
        { offset: '2', value: Buffer.from(JSON.stringify(rejected)) },
      ],
      source,
      index,
    );
    const jobs = plan.jobs.map((j) => JSON.parse(j.value) as DeliveryJob).map((j) => [j.event_id, j.webhook_id]);
    expect(jobs.sort()).toEqual(
      [
        [approved.id, filtered.id],
        [approved.id, plain.id],
        [rejected.id, plain.id],
      ].sort(),
    );
    const rows = new Map(plan.eventRows.map((r) => [r.id, r]));
    expect(rows.get(approved.id)).toMatchObject({ matched_webhooks: expect.arrayContaining([filtered.id, plain.id]), filtered_webhooks: [] });
    expect(rows.get(rejected.id)).toMatchObject({ matched_webhooks: [plain.id], filtered_webhooks: [filtered.id] });
    expect(plan.stats.filtered).toBe(1);
  });

  it('a buggy webhook whose filter rejects the event records no skipped delivery', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const buggy = record(notification(['message-rejected'], [], { filter: approvedOnly }), { buggy: true });
    index.upsert(buggy);
    const plan = planMessages([{ offset: '1', value: Buffer.from(JSON.stringify(accepted('message-rejected').event)) }], source, index);
    expect(plan.skipped).toEqual([]);
    expect(plan.eventRows[0]).toMatchObject({ matched_webhooks: [], filtered_webhooks: [buggy.id] });
  });

  it('the filter sees type, source, subject and time of the envelope, and is rebuilt when the webhook changes', () => {
    const index = new SubscriptionIndex('https://hs.example');
    const w = record(entity('user_session'), {});
    const ev = accepted('jive:user_session_logout').event;
    const msg = { offset: '1', value: Buffer.from(JSON.stringify(ev)) };
    index.upsert(record(entity('user_session'), { id: w.id }));
    expect(planMessages([msg], source, index).jobs).toHaveLength(1);
    index.upsert({ ...w, spec: { ...w.spec, filter: { type: { $neq: ev.type } } }, revision: 2 });
    expect(planMessages([msg], source, index).jobs).toHaveLength(0);
    index.upsert({ ...w, spec: { ...w.spec, filter: { type: ev.type, source: ev.source, time: { $exist: ev.time !== undefined } } }, revision: 3 });
    expect(planMessages([msg], source, index).jobs).toHaveLength(1);
  });
});
