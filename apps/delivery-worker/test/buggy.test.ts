import { encodeEventRecord, fixtures, validateEvent, webhookLifecycleEvent, type CloudEvent } from '@hookstream/schemas';
import { disableTenant, enableTenant, reenableWebhook } from '@hookstream/store';
import { webhookRow } from '@hookstream/store/testing';
import { startReceiver, waitFor, type Collector, type Receiver } from '@hookstream/test-kit';
import { createHarness, deliveryRow, insertTenant, insertWebhook, job, produceJobs, type Harness } from './support/harness.js';

describe('buggy endpoints', () => {
  let h: Harness;
  let events: Collector;
  let receiver: Receiver;
  let healthy = false;

  beforeAll(async () => {
    h = await createHarness();
    receiver = await startReceiver({ respond: () => ({ status: healthy ? 200 : 500 }) });
    await h.startWorker({ BUGGY_AFTER_DISCARDS: '3' });
    events = await h.kafka.consume(h.kafka.topics.events);
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('marks a webhook buggy after consecutive discards, skips its deliveries keeping the body, and resumes once re-enabled', async () => {
    // One event per call (as Jive webhooks created before issue 17.3): each discard is then one delivery's.
    const wh = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.webhookSystemWebhook, {
      endpoint: receiver.url,
      retry_max_count: 0,
      batch_size: 1,
    });
    const failing = [1, 2, 3].map(() => job(h.tenantId, wh.id, 'jive:user_account_created'));
    await produceJobs(h.kafka, failing);

    await events.waitFor(1);
    const marked = events.json<CloudEvent>()[0]!;
    expect(validateEvent(marked).ok).toBe(true);
    expect(marked).toMatchObject({
      type: 'jive:webhook_marked_buggy',
      tenantid: h.tenantId,
      subject: wh.id,
      data: { verb: 'jive:webhook_marked_buggy', jive: { objectID: wh.id, objectType: 'webhook' }, provider: { name: 'hookstream' } },
    });
    expect(events.messages[0]!.key?.toString()).toBe(`${h.tenantId}:${wh.id}`);
    const row = (await webhookRow(h.pg.db, wh.id))!;
    expect(row).toMatchObject({ buggy: true, consecutive_failures: 3 });
    expect(row.marked_buggy_at).toBeInstanceOf(Date);
    expect(Number(row.revision)).toBe(2);
    for (const j of failing) expect((await deliveryRow(h.pg.db, j.delivery_id))?.status).toBe('discarded');
    expect(receiver.requests).toHaveLength(3);

    // While buggy: recorded as skipped, body kept for replay, no call.
    const skipped = job(h.tenantId, wh.id, 'jive:user_account_created');
    await produceJobs(h.kafka, [skipped]);
    await waitFor(async () => (await deliveryRow(h.pg.db, skipped.delivery_id))?.status === 'skipped', { what: 'skipped row' });
    expect((await deliveryRow(h.pg.db, skipped.delivery_id))!.body).toEqual(skipped.body);
    expect(receiver.byId(skipped.delivery_id)).toHaveLength(0);

    // Re-enabled as PUT /v1/webhooks/{id}/enable does it (row update + system event, both the gateway's part).
    healthy = true;
    expect(await reenableWebhook(h.pg.db, wh.id)).toMatchObject({ buggy: false, consecutive_failures: 0, marked_buggy_at: null });
    const notBuggy = webhookLifecycleEvent({
      verb: 'jive:webhook_marked_not_buggy',
      tenantId: h.tenantId,
      webhookId: wh.id,
      publicUrl: 'http://127.0.0.1:8080',
      by: 'gateway',
    });
    await h.kafka.publish(h.kafka.topics.events, [encodeEventRecord(notBuggy)]);
    await events.waitFor(2);
    expect(events.json<CloudEvent>().map((e) => e.type)).toEqual(['jive:webhook_marked_buggy', 'jive:webhook_marked_not_buggy']);

    const resumed = job(h.tenantId, wh.id, 'jive:user_account_created');
    await waitFor(async () => (await webhookRow(h.pg.db, wh.id))!.buggy === false);
    await new Promise((r) => setTimeout(r, 300)); // the worker's cache follows the row's change notification
    await produceJobs(h.kafka, [resumed]);
    await waitFor(async () => (await deliveryRow(h.pg.db, resumed.delivery_id))?.status === 'delivered', { what: 'delivery resumed' });
    expect(receiver.byId(resumed.delivery_id)).toHaveLength(1);
  });

  it('resets the count of consecutive discards when a delivery succeeds', async () => {
    let ok = false;
    const r = await startReceiver({ respond: () => ({ status: ok ? 200 : 500 }) });
    try {
      const wh = await insertWebhook(h.pg.db, h.tenantId, fixtures.webhookRequests.webhookSystemWebhook, { endpoint: r.url, retry_max_count: 0 });
      const two = [1, 2].map(() => job(h.tenantId, wh.id, 'jive:user_account_created'));
      await produceJobs(h.kafka, two);
      await waitFor(async () => (await webhookRow(h.pg.db, wh.id))!.consecutive_failures === 2, { what: 'two discards counted' });
      ok = true;
      await new Promise((res) => setTimeout(res, 300));
      await produceJobs(h.kafka, [job(h.tenantId, wh.id, 'jive:user_account_created')]);
      await waitFor(async () => (await webhookRow(h.pg.db, wh.id))!.consecutive_failures === 0, { what: 'count reset' });
      expect((await webhookRow(h.pg.db, wh.id))!.buggy).toBe(false);
    } finally {
      await r.close();
    }
  });

  it('delivers nothing more, new or retrying, to the webhooks of a disabled tenant (#16.4), and delivers again once it is enabled', async () => {
    const r = await startReceiver({ respond: () => ({ status: 200 }) });
    try {
      const tenantId = await insertTenant(h.pg.db);
      const wh = await insertWebhook(h.pg.db, tenantId, fixtures.webhookRequests.webhookSystemWebhook, { endpoint: r.url });
      const before = job(tenantId, wh.id, 'jive:user_account_created');
      await produceJobs(h.kafka, [before]);
      await waitFor(async () => (await deliveryRow(h.pg.db, before.delivery_id))?.status === 'delivered', { what: 'delivered before' });

      expect(await disableTenant(h.pg.db, tenantId)).toBe(true);
      // Stamped with the revision the disabling wrote, as the matcher stamps what it matched against.
      const revision = Number((await webhookRow(h.pg.db, wh.id))!.revision);
      const fresh = job(tenantId, wh.id, 'jive:user_account_created', { webhook_revision: revision });
      const retrying = job(tenantId, wh.id, 'jive:user_account_created', { webhook_revision: revision, attempt: 3 });
      await produceJobs(h.kafka, [fresh, retrying]);
      for (const j of [fresh, retrying]) {
        await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'skipped', { what: 'skipped after the tenant was disabled' });
        expect(r.byId(j.delivery_id)).toHaveLength(0);
      }

      // Enabled again: what is queued from then on is delivered; what was skipped stays skipped.
      expect(await enableTenant(h.pg.db, tenantId)).toBe(true);
      const enabledRevision = Number((await webhookRow(h.pg.db, wh.id))!.revision);
      expect(enabledRevision).toBe(revision + 1);
      const after = job(tenantId, wh.id, 'jive:user_account_created', { webhook_revision: enabledRevision });
      await produceJobs(h.kafka, [after]);
      await waitFor(async () => (await deliveryRow(h.pg.db, after.delivery_id))?.status === 'delivered', { what: 'delivered after the tenant was enabled' });
      expect(r.byId(after.delivery_id)).toHaveLength(1);
      // Kept with its body, so the tenant can send it again (POST /v1/deliveries/{id}/retry).
      expect(await deliveryRow(h.pg.db, fresh.delivery_id)).toMatchObject({ status: 'skipped', body: expect.anything() });
    } finally {
      await r.close();
    }
  });
});
