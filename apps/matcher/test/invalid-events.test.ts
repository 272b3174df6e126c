import { CATALOGUE_DIGEST, envelopeToBinary, VALIDATED_WITH_HEADER, validateInvalidEventRecord, type InvalidEventRecord } from '@hookstream/schemas';
import { hideEventsTable, rowsWhere } from '@hookstream/store/testing';
import { sleep, waitFor } from '@hookstream/test-kit';
import { createTenant, createWebhook, entityRequest } from './helpers/seed.js';
import {
  event,
  invalidRecords,
  jobsOf,
  metricValue,
  publish,
  startPipeline,
  waitForIndexed,
  waitForJobs,
  waitForSubscriptions,
  type Pipeline,
} from './helpers/pipeline.js';

describe('intake: invalid messages are dead-lettered, the valid ones around them go through', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('sends each invalid message to events.invalid with its reason, paths, original bytes and source, and keeps going', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const hook = await createWebhook(db, tenant, entityRequest('user_session'));
    await waitForSubscriptions(p);

    const valid = () => event(tenant, 'jive:user_session_login');
    const v1 = valid();
    const v2 = valid();
    const v3 = valid();
    const v4 = valid();
    const binaryValid = valid();
    const unknownType = { ...valid(), type: 'jive:user_session_teleported' };
    const badData = valid();
    delete (badData.data as Record<string, unknown>).jive;
    const noTenant: Record<string, unknown> = { ...valid() };
    delete noTenant.tenantid;
    const notUuidTenant = { ...valid(), tenantid: 'tenant-daily-herald' };
    const binary = envelopeToBinary(binaryValid, 'ce_');
    const binaryBroken = envelopeToBinary(valid(), 'ce_');

    const key = `${tenant}:intake`;
    const messages = [
      { value: JSON.stringify(v1) },
      { value: '{"specversion": "1.0", "id": ' }, // truncated JSON
      { value: JSON.stringify(v2) },
      { value: JSON.stringify(unknownType) },
      { value: JSON.stringify(badData) },
      { value: JSON.stringify(v3) },
      { value: JSON.stringify(noTenant) },
      { value: JSON.stringify(notUuidTenant) },
      { value: binary.body, headers: binary.headers },
      { value: 'not json at all', headers: binaryBroken.headers },
      { value: JSON.stringify(v4) },
    ];
    // Raw bytes on purpose (malformed records), through the Publisher; all on the key's one partition.
    const ends = async () => new Map((await p.kafka.admin.fetchTopicOffsets(p.kafka.topics.events)).map((o) => [o.partition, BigInt(o.high)]));
    const before = await ends();
    await p.kafka.publish(
      p.kafka.topics.events,
      messages.map((m) => ({ key, ...m })),
    );
    const after = await ends();
    const written = [...after].filter(([partition, high]) => high - (before.get(partition) ?? 0n) === BigInt(messages.length));
    expect(written).toHaveLength(1);
    const partition = written[0]![0];
    const firstOffset = before.get(partition)!;

    for (const e of [v1, v2, v3, binaryValid, v4]) {
      const [job] = await waitForJobs(p, e.id, 1);
      expect(job!.webhook_id).toBe(hook);
    }
    expect((await waitForIndexed(p, tenant, binaryValid.id)).matched_webhooks).toEqual([hook]);
    expect(jobsOf(p, badData.id)).toEqual([]);

    await waitFor(() => invalidRecords(p).length >= 6, { what: '6 invalid-event records' });
    const records = invalidRecords(p);
    expect(records).toHaveLength(6);
    for (const r of records) expect(validateInvalidEventRecord(r).ok).toBe(true);
    const at = (i: number) => records.find((r) => r.source.offset === String(firstOffset + BigInt(i)))!;
    const expectRecord = (i: number, reason: string, path: string) => {
      const r: InvalidEventRecord = at(i);
      expect(r).toBeDefined();
      expect(r.reason).toBe(reason);
      expect(r.errors.map((e) => e.path)).toContain(path);
      expect(r.source).toMatchObject({ topic: p.kafka.topics.events, partition });
      expect(Buffer.from(r.original_base64, 'base64').toString('utf8')).toBe(messages[i]!.value);
      return r;
    };
    expectRecord(1, 'not_json', '');
    expectRecord(3, 'unknown_type', '/type');
    expect(at(3).errors.find((e) => e.path === '/type')!.message).toContain('jive:user_session_teleported');
    expectRecord(4, 'invalid_data', '/data/jive');
    expectRecord(6, 'missing_tenantid', '/tenantid');
    expectRecord(7, 'unknown_tenant', '/tenantid');
    const broken = expectRecord(9, 'invalid_data', '/data');
    expect(broken.headers.ce_specversion).toBe('1.0');
    expect(broken.headers.ce_type).toBe('jive:user_session_login');
    // Nothing of an invalid message reaches the event index or the delivery topic.
    expect(await rowsWhere(db, 'events', { id: badData.id })).toEqual([]);

    const metrics = await (await fetch(`${p.matcher.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/hookstream_matcher_events_invalid_total\{reason="not_json",service="matcher"\} 1/);
    expect(metrics).toMatch(/hookstream_matcher_events_invalid_total\{reason="invalid_data",service="matcher"\} 2/);
    expect(metrics).toMatch(/hookstream_matcher_events_consumed_total\{service="matcher"\} 11/);
    expect(metrics).toMatch(/hookstream_matcher_events_matched_total\{service="matcher"\} 5/);
    expect(metrics).toMatch(/hookstream_matcher_fanout_bucket\{le="1",service="matcher"\} 5/);
    expect(metrics).toContain('hookstream_consumer_lag');
    expect(metrics).toContain('hookstream_consumer_seconds_since_last_commit');
  });

  it('checks by hand the envelope attributes it reads of a record the gateway marked, and validates an unmarked one in full', async () => {
    const tenant = await createTenant(p.pg.db);
    const hook = await createWebhook(p.pg.db, tenant, entityRequest('user_session'));
    await waitForSubscriptions(p);
    const valid = () => event(tenant, 'jive:user_session_login');
    const markedValid = valid();
    const unmarkedValid = valid();
    const badTime = { ...valid(), time: 'yesterday' };
    const numericId = { ...valid(), id: 42 };
    const noData: Record<string, unknown> = { ...valid() };
    delete noData.data;
    const objectSource = { ...valid(), source: { uri: '/x' } };
    // An extension attribute must be a scalar: the schema says so, the matcher reads no such attribute.
    const objectExtension = { ...valid(), extra: { a: 1 } };
    const marked = { [VALIDATED_WITH_HEADER]: CATALOGUE_DIGEST };
    const messages = [
      { value: JSON.stringify(badTime), headers: marked },
      { value: JSON.stringify(markedValid), headers: marked },
      { value: JSON.stringify(numericId), headers: marked },
      { value: JSON.stringify(noData), headers: marked },
      { value: JSON.stringify(objectSource), headers: marked },
      { value: JSON.stringify(objectExtension) },
      { value: JSON.stringify(numericId) },
      { value: JSON.stringify(unmarkedValid) },
    ];
    const invalidBefore = invalidRecords(p).length;
    const ends = async () => new Map((await p.kafka.admin.fetchTopicOffsets(p.kafka.topics.events)).map((o) => [o.partition, BigInt(o.high)]));
    const before = await ends();
    await p.kafka.publish(
      p.kafka.topics.events,
      messages.map((m) => ({ key: `${tenant}:marked`, ...m })),
    );
    const after = await ends();
    const written = [...after].filter(([partition, high]) => high - (before.get(partition) ?? 0n) === BigInt(messages.length));
    expect(written).toHaveLength(1);
    const [partition] = written[0]!;
    const firstOffset = before.get(partition)!;

    for (const e of [markedValid, unmarkedValid]) expect((await waitForJobs(p, e.id, 1))[0]!.webhook_id).toBe(hook);
    await waitFor(() => invalidRecords(p).length >= invalidBefore + 6, { what: '6 more invalid-event records' });
    const at = (i: number) => invalidRecords(p).find((r) => r.source.partition === partition && r.source.offset === String(firstOffset + BigInt(i)));
    const expectRecord = (i: number, reason: string, path: string, headers: Record<string, string> = {}) => {
      const r = at(i);
      expect(r).toBeDefined();
      expect(validateInvalidEventRecord(r).ok).toBe(true);
      expect(r!.reason).toBe(reason);
      expect(r!.errors.map((e) => e.path)).toContain(path);
      expect(r!.headers).toMatchObject(headers);
      expect(Buffer.from(r!.original_base64, 'base64').toString('utf8')).toBe(messages[i]!.value);
    };
    expectRecord(0, 'invalid_envelope', '/time', marked);
    expectRecord(2, 'invalid_envelope', '/id', marked);
    expectRecord(3, 'invalid_data', '/data', marked);
    expectRecord(4, 'invalid_envelope', '/source', marked);
    expectRecord(5, 'invalid_envelope', '/extra');
    expectRecord(6, 'invalid_envelope', '/id');
    expect(await rowsWhere(p.pg.db, 'events', { id: badTime.id })).toEqual([]);
  });

  it('keeps retrying while the event index cannot be written and commits nothing until it is (nothing lost)', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const hook = await createWebhook(db, tenant, entityRequest('social_group'));
    await waitForSubscriptions(p);
    const committed = async () => {
      const o = await p.kafka.admin.fetchOffsets({ groupId: `${p.kafka.prefix}matcher`, topics: [p.kafka.topics.events] });
      return o[0]!.partitions.reduce((n, x) => n + Math.max(0, Number(x.offset)), 0);
    };
    // Offsets of small slices linger in the committer (MATCHER_COMMIT_LINGER_MS): the previous test's are committed first.
    const consumed = (await metricValue(p, 'hookstream_matcher_events_consumed_total')) ?? 0;
    await waitFor(async () => (await committed()) === consumed, { what: "the earlier events' offsets committed" });
    const before = await committed();
    // The index table disappears (as if PostgreSQL refused writes); the matcher must wait, not skip.
    const restoreEventsTable = await hideEventsTable(db);
    try {
      const e = event(tenant, 'jive:social_group_created');
      await publish(p, [e]);
      await waitFor(async () => ((await metricValue(p, 'hookstream_matcher_step_retries_total')) ?? 0) > 0, {
        what: 'a retried event-index write',
      });
      await sleep(500);
      expect(await committed()).toBe(before);
      await restoreEventsTable();
      expect((await waitForIndexed(p, tenant, e.id)).matched_webhooks).toEqual([hook]);
      expect((await waitForJobs(p, e.id, 1))[0]!.webhook_id).toBe(hook);
      await waitFor(async () => (await committed()) === before + 1, { what: 'the offset committed after the write succeeded' });
    } finally {
      await restoreEventsTable();
    }
  });

  it('reports ready only with the subscription index loaded and the change feed connected', async () => {
    const r = await fetch(`${p.matcher.opsUrl}/readyz`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { checks: Record<string, { ok: boolean }> };
    expect(body.checks.subscriptions).toEqual(expect.objectContaining({ ok: true }));
    expect(body.checks.consumer).toEqual(expect.objectContaining({ ok: true }));
    expect((await fetch(`${p.matcher.baseUrl}/healthz`)).status).toBe(200);
  });
});
