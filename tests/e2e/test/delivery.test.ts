import { spawnSync } from 'node:child_process';
import { createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CONTENT_VERBS, NOTIFICATION_TYPES, fixtures, renderDeliveredBody } from '@hookstream/schemas';
import { startReceiver, startSystem, startTokenEndpoint, waitFor, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { verify as hookstreamVerify } from '@hookstream/verify';
import { Webhook } from 'standardwebhooks';
import { event, newTenant, tokenWebhook, type Tenant } from './helpers.js';

const cliBin = fileURLToPath(new URL('../../../apps/cli/bin/hookstream.js', import.meta.url));

describe('the whole system, three processes, real broker, PostgreSQL and receiver', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let tenant: Tenant;

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startSystem(), startReceiver()]);
    tenant = await newTenant(system);
  });
  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  const webhookUri = (id: string) => `${system.env.HOOKSTREAM_PUBLIC_URL ?? 'http://127.0.0.1:8080'}/v1/webhooks/${id}`;

  it('delivers every notification type with the exact seed payload and the token header', async () => {
    const wh = await tenant.api.createWebhook(tokenWebhook(receiver, '/all', { email: [...NOTIFICATION_TYPES], 'in-app': [...NOTIFICATION_TYPES] }));
    receiver.behave('/all', { token: { header: 'x-openweb-notification-event-webhook-token', value: 'tok-all-0123456789' } });
    const sent = NOTIFICATION_TYPES.map((t) => event(t, tenant.id));
    for (const e of sent) await tenant.api.publish(e);
    await receiver.waitForUnique(sent.length, { path: '/all', timeoutMs: 30_000 });
    for (const e of sent) {
      const got = receiver.at('/all').find((r) => (r.body as { event_id?: string }).event_id === e.id);
      expect(got).toBeDefined();
      expect(got!.verified).toBe(true);
      expect(got!.headers['content-type']).toMatch(/^application\/json/);
      expect(got!.headers['user-agent']).toMatch(/hookstream/i);
      expect(got!.headers['webhook-timestamp']).toMatch(/^\d+$/);
      expect(got!.body).toEqual(renderDeliveredBody(e, { webhookUri: webhookUri(wh.id) }));
    }
  });

  it('keeps only the channels the webhook registered, and drops an event with none', async () => {
    await tenant.api.createWebhook(tokenWebhook(receiver, '/email-only', { email: ['liked-message'] }));
    const both = event('liked-message', tenant.id);
    const inAppOnly = event('liked-message', tenant.id, { data: { ...fixtures.eventData('liked-message'), channels: ['in-app'] } });
    const marker = event('liked-message', tenant.id);
    for (const e of [both, inAppOnly, marker]) await tenant.api.publish(e);
    await receiver.waitForUnique(2, { path: '/email-only', timeoutMs: 30_000 });
    const bodies = receiver.at('/email-only').map((r) => r.body as { event_id: string; channels: string[] });
    expect(bodies.find((b) => b.event_id === both.id)?.channels).toEqual(['email']);
    expect(bodies.find((b) => b.event_id === marker.id)).toBeDefined();
    expect(bodies.find((b) => b.event_id === inAppOnly.id)).toBeUndefined();
  });

  it('authenticates with OAuth2 client_secret_jwt and reuses the access token', async () => {
    const client = { clientId: 'e2e-client', clientSecret: randomBytes(24).toString('base64url'), audience: 'https://auth.e2e.example' };
    const tokens = await startTokenEndpoint(client);
    try {
      receiver.behave('/jwt', { bearer: (t) => tokens.isValid(t) });
      await tenant.api.createWebhook({
        enabled: true,
        endpoint: `${receiver.url}/jwt`,
        auth_type: 'client_secret_jwt',
        auth_config: {
          client_id: client.clientId,
          client_secret: client.clientSecret,
          audience: client.audience,
          token_uri: tokens.url,
          extra_grants: { scope: 'notify', realm: 'e2e' },
        },
        retry_base: 1,
        retry_max_count: 3,
        registered_events: { email: ['user-followed'], 'in-app': [] },
      });
      for (let i = 0; i < 3; i++) await tenant.api.publish(event('user-followed', tenant.id));
      await receiver.waitForUnique(3, { path: '/jwt', timeoutMs: 30_000 });
      expect(
        receiver
          .at('/jwt')
          .filter((r) => r.status === 200)
          .every((r) => r.verified),
      ).toBe(true);
      expect(tokens.issued).toHaveLength(1);
    } finally {
      await tokens.close();
    }
  });

  it('retries with exponential back-off and dead-letters what is exhausted', async () => {
    receiver.behave('/flaky', { failTimes: 2 });
    receiver.behave('/down', { status: 503 });
    const dlq = await system.kafka.consume(system.kafka.topics.deliveriesDlq);
    await tenant.api.createWebhook(tokenWebhook(receiver, '/flaky', { email: ['user-mentioned'] }, { retry_base: 1, retry_max_count: 3 }));
    const down = await tenant.api.createWebhook(tokenWebhook(receiver, '/down', { email: ['user-mentioned'] }, { retry_base: 1, retry_max_count: 1 }));
    const e = event('user-mentioned', tenant.id);
    await tenant.api.publish(e);
    await receiver.waitForUnique(1, { path: '/flaky', timeoutMs: 30_000 });
    const flaky = receiver.at('/flaky');
    expect(flaky.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(flaky.map((r) => r.webhookId)).size).toBe(1);
    // retry_base 1: each retry waits 1^n = 1 s.
    expect(flaky[1]!.receivedAt - flaky[0]!.receivedAt).toBeGreaterThanOrEqual(900);
    expect(flaky[2]!.receivedAt - flaky[1]!.receivedAt).toBeGreaterThanOrEqual(900);

    await dlq.waitFor(1, 30_000);
    const letter = dlq.json<{ job: { webhook_id: string; delivery_id: string }; attempts: unknown[] }>()[0]!;
    expect(letter.job.webhook_id).toBe(down.id);
    expect(receiver.at('/down')).toHaveLength(2);
    const delivery = await waitFor(
      async () => {
        const d = await tenant.api.request<{ status: string; attempts: unknown[] }>('GET', `/v1/deliveries/${letter.job.delivery_id}`);
        return d.status === 200 && d.body.status === 'discarded' ? d.body : undefined;
      },
      { timeoutMs: 10_000, what: 'the delivery to be discarded in the audit' },
    );
    expect(delivery.attempts).toHaveLength(2);

    // The operator replays the dead letter once the endpoint is back: it is delivered, and the
    // audit records the replay's attempt as a new cycle.
    receiver.behave('/down', { status: 200 });
    const cli = spawnSync(process.execPath, [cliBin, 'dlq', 'replay', '--webhook', down.id], {
      env: { ...process.env, ...system.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.stdout).toContain('replayed 1 dead letter(s)');
    await receiver.waitForUnique(1, { path: '/down', timeoutMs: 30_000 });
    const replayed = await waitFor(
      async () => {
        const d = await tenant.api.request<{ status: string; attempts: { cycle?: number; status_code?: number }[] }>(
          'GET',
          `/v1/deliveries/${letter.job.delivery_id}`,
        );
        return d.body.status === 'delivered' ? d.body : undefined;
      },
      { timeoutMs: 10_000, what: 'the replayed delivery to be recorded as delivered' },
    );
    expect(replayed.attempts).toHaveLength(3);
    expect(replayed.attempts.at(-1)).toMatchObject({ status_code: 200 });
  });

  // Seeds: the Jive seed's system webhook category "webhook" lists "jive:webhook_disabled", and "Re-enable a webhook that was
  // disabled."; the notification seed's "an attempt to resend the event occurs according to your configuration" stays the
  // lower bound when a receiver asks for more time (issue 18.4).
  it('receivers steer delivery: a 410 disables the webhook within one attempt and the system webhook gets "jive:webhook_disabled"; "Re-enable a webhook that was disabled." works; a 503 with Retry-After: 3 is resent 3 s or later after the answer', async () => {
    const t = await newTenant(system, 'steering');
    let gone = true;
    let answering = 0;
    let laterCalls = 0;
    const steer = await startReceiver({
      respond: (req) => {
        if (req.path === '/system') return { status: 200 };
        if (req.path === '/gone') return gone ? { status: 410 } : { status: 200 };
        if (req.path === '/later' && ++laterCalls === 1) {
          answering = Date.now();
          return { status: 503, headers: { 'retry-after': '3' } };
        }
        return { status: 200 };
      },
    });
    try {
      await t.api.createWebhook({ events: 'webhook', callback: `${steer.url}/system` });
      const wh = await t.api.createWebhook(tokenWebhook(steer, '/gone', { email: ['user-mentioned'] }, { retry_base: 1, retry_max_count: 5 }));
      await t.api.publish(event('user-mentioned', t.id));
      // A system webhook batches (payload_size 100 by default): each call's body is an array of activities.
      const systemVerbs = () =>
        steer.at('/system').flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body]) as { verb: string; reason?: string; jive: { objectID: string } }[]);
      const disabled = await waitFor(() => systemVerbs().find((b) => b.verb === 'jive:webhook_disabled' && b.jive.objectID === wh.id), {
        timeoutMs: 30_000,
        what: 'jive:webhook_disabled at the system webhook',
      });
      expect(disabled.reason).toBe('gone');
      const shown = await t.api.request<{ enabled: boolean; disabled_reason: string | null }>('GET', `/v1/webhooks/${wh.id}`);
      expect(shown.body).toMatchObject({ enabled: false, disabled_reason: 'gone' });
      const [delivery] = await waitFor(
        async () => {
          const list = await t.api.request<{ list: { id: string; status: string; attempts: number }[] }>('GET', `/v1/webhooks/${wh.id}/deliveries`);
          return list.body.list[0]?.status === 'discarded' ? list.body.list : undefined;
        },
        { timeoutMs: 10_000, what: 'the 410 delivery discarded' },
      );
      expect(delivery).toMatchObject({ attempts: 1, last_status_code: 410 });
      expect(steer.at('/gone')).toHaveLength(1);

      gone = false;
      const enabled = await t.api.request<{ enabled: boolean; disabled_reason: string | null }>('PUT', `/v1/webhooks/${wh.id}/enable`);
      expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null });
      await waitFor(() => systemVerbs().some((b) => b.verb === 'jive:webhook_enabled' && b.jive.objectID === wh.id), {
        timeoutMs: 30_000,
        what: 'jive:webhook_enabled',
      });
      await t.api.publish(event('user-mentioned', t.id));
      await waitFor(() => steer.at('/gone').some((r) => r.status === 200), { timeoutMs: 30_000, what: 'a delivery after re-enabling' });

      // Retry-After: 3 against a back-off of retry_base^1 = 1 s.
      await t.api.createWebhook(tokenWebhook(steer, '/later', { email: ['user-mentioned'] }, { retry_base: 1, retry_max_count: 3 }));
      await t.api.publish(event('user-mentioned', t.id));
      await waitFor(() => (steer.at('/later').length >= 2 ? true : undefined), { timeoutMs: 30_000, what: 'the resend after Retry-After' });
      const later = steer.at('/later');
      const gap = later[1]!.receivedAt - answering;
      process.stderr.write(`[e2e steering] 503 Retry-After: 3 -> resent ${gap} ms after the answer (back-off alone: 1000 ms)\n`);
      expect(gap).toBeGreaterThanOrEqual(3000);
      expect(later.map((r) => r.headers['webhook-attempt'])).toEqual(['1', '2']);
    } finally {
      await steer.close();
    }
  });

  it('20: a test event of a chosen type reaches only the one webhook it was sent to, whether or not it subscribes to the type, and its attempt shows in the history; a disabled webhook answers 409, a publisher cannot mark its own events as tests', async () => {
    receiver.behave('/test-target', { token: { header: 'x-openweb-notification-event-webhook-token', value: 'tok-testtarget-0123456789' } });
    receiver.behave('/test-bystander', { token: { header: 'x-openweb-notification-event-webhook-token', value: 'tok-testbystander-0123456789' } });
    // The target subscribes to something else; the bystander subscribes to the test's type.
    const target = await tenant.api.createWebhook(tokenWebhook(receiver, '/test-target', { email: ['user-followed'] }));
    await tenant.api.createWebhook(tokenWebhook(receiver, '/test-bystander', { email: ['liked-message'], 'in-app': ['liked-message'] }));
    const sent = await tenant.api.request<{ event_id: string }>('POST', `/v1/webhooks/${target.id}/test-events`, { type: 'liked-message' });
    expect(sent.status).toBe(202);
    const eventId = sent.body.event_id;
    await receiver.waitForUnique(1, { path: '/test-target', timeoutMs: 30_000 });
    const got = receiver.at('/test-target').find((r) => (r.body as { event_id?: string }).event_id === eventId)!;
    expect(got.verified).toBe(true);
    expect(got.body).toMatchObject({ ...fixtures.eventData('liked-message'), event_id: eventId, type: 'liked-message' });
    // Its attempt is in the target's history, delivered.
    const history = await waitFor(
      async () => {
        const r = await tenant.api.request<{ list: { event_id: string; status: string }[] }>(
          'GET',
          `/v1/webhooks/${target.id}/deliveries?event_type=liked-message`,
        );
        return r.body.list.find((d) => d.event_id === eventId && d.status === 'delivered');
      },
      { timeoutMs: 30_000, what: 'the test delivery in the history' },
    );
    expect(history).toBeDefined();
    // The bystander, which subscribes to liked-message, never receives the test event: a normal event after it is the proof.
    const after = event('liked-message', tenant.id);
    await tenant.api.publish(after);
    await waitFor(() => receiver.at('/test-bystander').some((r) => (r.body as { event_id?: string }).event_id === after.id), { timeoutMs: 30_000 });
    expect(receiver.at('/test-bystander').some((r) => (r.body as { event_id?: string }).event_id === eventId)).toBe(false);

    const unknown = await tenant.api.request<{ details: { path: string }[] }>('POST', `/v1/webhooks/${target.id}/test-events`, { type: 'no-such-type' });
    expect([unknown.status, unknown.body.details[0]!.path]).toEqual([400, '/type']);
    const forged = await tenant.api.request<{ details: { path: string }[] }>(
      'POST',
      '/v1/events',
      { ...event('liked-message', tenant.id), hookstreamtestwebhook: target.id },
      {
        'content-type': 'application/cloudevents+json',
      },
    );
    expect([forged.status, forged.body.details[0]!.path]).toEqual([400, '/hookstreamtestwebhook']);
    await tenant.api.expect(200, 'PUT', `/v1/webhooks/${target.id}`, {
      ...tokenWebhook(receiver, '/test-target', { email: ['user-followed'] }),
      enabled: false,
    });
    expect((await tenant.api.request('POST', `/v1/webhooks/${target.id}/test-events`, { type: 'liked-message' })).status).toBe(409);
  });

  it('routes content events by container and system events by category, including webhook lifecycle events', async () => {
    const place = 'https://sample.jiveon.com/api/core/v3/places/1020';
    await tenant.api.createWebhook({ events: 'document', callback: `${receiver.url}/content`, object: place });
    const sys = await tenant.api.createWebhook({ events: 'webhook,user_account', callback: `${receiver.url}/system` });
    for (const verb of CONTENT_VERBS) await tenant.api.publish(event(verb, tenant.id));
    await tenant.api.publish(event('jive:user_account_created', tenant.id));
    await tenant.api.publish(event('jive:user_session_login', tenant.id)); // not subscribed

    // A webhook's life, seen by the system webhook.
    const other = await tenant.api.createWebhook(tokenWebhook(receiver, '/lifecycle', { email: ['topic-by-author'] }));
    await tenant.api.expect(200, 'PUT', `/v1/webhooks/${other.id}`, {
      ...tokenWebhook(receiver, '/lifecycle', { email: ['topic-by-author'] }),
      enabled: false,
    });
    await tenant.api.expect(200, 'PUT', `/v1/webhooks/${other.id}/enable`);
    await tenant.api.request('DELETE', `/v1/webhooks/${other.id}`);

    // Content and system webhooks get the Jive seed's payload_size 100: each call carries an array of events.
    const bodies = (path: string) => receiver.at(path).flatMap((r) => (Array.isArray(r.body) ? (r.body as unknown[]) : [r.body]));
    const verbs = () => bodies('/system').map((b) => (b as { verb: string }).verb);
    await waitFor(() => ['jive:webhook_created', 'jive:webhook_disabled', 'jive:webhook_enabled', 'jive:webhook_deleted'].every((v) => verbs().includes(v)), {
      timeoutMs: 30_000,
      what: 'webhook lifecycle events at the system webhook',
    });
    expect(verbs()).toContain('jive:user_account_created');
    expect(verbs()).not.toContain('jive:user_session_login');
    for (const b of bodies('/system')) expect((b as { webhook: string }).webhook).toBe(webhookUri(sys.id));
    // Content: all six verbs concern a document (or a comment/message on it) in place 1020; the filter keeps documents.
    await waitFor(() => receiver.at('/content').length >= 1, { timeoutMs: 20_000, what: 'content deliveries' });
    expect(bodies('/content').every((b) => (b as { target: { id: string } }).target.id === place)).toBe(true);
  });

  it('19.1: a filter on data.comment.state delivers approved messages and not rejected ones; GET /v1/events/{id} names the webhooks that matched and the ones that filtered it out; a malformed filter is a 400 naming its path', async () => {
    const types = { email: ['message-approved', 'message-rejected'] };
    const approvedOnly = { data: { comment: { state: { $in: ['approved'] } } } };
    const bad = await tenant.api.request<{ details: { path: string }[] }>(
      'POST',
      '/v1/webhooks',
      tokenWebhook(receiver, '/filtered', types, { filter: { data: { comment: { state: { $in: 'approved' } } } } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toEqual(['/filter/data/comment/state/$in']);

    const filtered = await tenant.api.createWebhook(tokenWebhook(receiver, '/filtered', types, { filter: approvedOnly }));
    const plain = await tenant.api.createWebhook(tokenWebhook(receiver, '/unfiltered', types));
    expect(filtered.filter).toEqual(approvedOnly);
    const approved = [event('message-approved', tenant.id), event('message-approved', tenant.id)];
    const rejected = [event('message-rejected', tenant.id), event('message-rejected', tenant.id)];
    for (const e of [approved[0]!, rejected[0]!, approved[1]!, rejected[1]!]) await tenant.api.publish(e);
    // The unfiltered twin receives all four: the matcher has then decided on every event for both webhooks.
    await receiver.waitForUnique(4, { path: '/unfiltered', timeoutMs: 30_000 });
    await receiver.waitForUnique(2, { path: '/filtered', timeoutMs: 30_000 });
    const got = new Set(receiver.at('/filtered').map((r) => (r.body as { event_id: string }).event_id));
    expect([...got].sort()).toEqual(approved.map((e) => e.id).sort());

    type EventView = { deliveries: { webhook_id: string }[]; filtered_webhooks: string[] };
    const view = (id: string) => tenant.api.expect<EventView>(200, 'GET', `/v1/events/${id}`);
    // Earlier tests' webhooks of the tenant (registered for every type) match too: only these two are asserted.
    const onApproved = await view(approved[0]!.id);
    expect(onApproved.deliveries.map((d) => d.webhook_id)).toEqual(expect.arrayContaining([filtered.id, plain.id]));
    expect(onApproved.filtered_webhooks).toEqual([]);
    const onRejected = await view(rejected[0]!.id);
    expect(onRejected.deliveries.map((d) => d.webhook_id)).toContain(plain.id);
    expect(onRejected.deliveries.map((d) => d.webhook_id)).not.toContain(filtered.id);
    expect(onRejected.filtered_webhooks).toEqual([filtered.id]);

    // The filter test route answers for a sample event without publishing it, with the webhook's filter or a draft.
    const test = (id: string, body: unknown) => tenant.api.expect(200, 'POST', `/v1/webhooks/${id}/filter/test`, body);
    expect(await test(filtered.id, { event: rejected[0] })).toEqual({ passes: false, has_filter: true, failed_condition: '/data/comment/state/$in' });
    expect(await test(filtered.id, { event: approved[0] })).toEqual({ passes: true, has_filter: true });
    expect(await test(plain.id, { event: approved[0] })).toEqual({ passes: true, has_filter: false });
    expect(await test(plain.id, { event: rejected[0], filter: { data: { comment: { state: { $neq: 'rejected' } } } } })).toEqual({
      passes: false,
      has_filter: true,
      failed_condition: '/data/comment/state/$neq',
    });
    const noType = await tenant.api.request<{ details: { path: string }[] }>('POST', `/v1/webhooks/${filtered.id}/filter/test`, { event: { data: {} } });
    expect(noType.status).toBe(400);
    expect(noType.body.details.map((d) => d.path)).toContain('/event/type');
    const badDraft = await tenant.api.request<{ details: { path: string }[] }>('POST', `/v1/webhooks/${filtered.id}/filter/test`, {
      event: approved[0],
      filter: { $or: 1 },
    });
    expect(badDraft.status).toBe(400);
    expect(badDraft.body.details.map((d) => d.path)).toEqual(['/filter/$or']);
  });

  describe("Jive delivery tuning (issue 17.3): the seed's tuning table as the defaults of content and system webhooks", () => {
    /** Calls at once at the receiver, from when each call arrived until it was answered. */
    const mostAtOnce = (calls: { receivedAt: number; answeredAt?: number }[]) =>
      Math.max(0, ...calls.map((c) => calls.filter((o) => o.receivedAt <= c.receivedAt && (o.answeredAt ?? Infinity) > c.receivedAt).length));
    /** `n` events of the type, each about its own object (`jive.objectID` = 1..n), so deliveries can be told apart. */
    const publishAll = async (t: Tenant, n: number, type: string) => {
      const one = (i: number) => {
        const e = event(type, t.id);
        const data = e.data as Record<string, unknown>;
        return t.api.publish({ ...e, data: data.jive ? { ...data, jive: { ...(data.jive as object), objectID: i } } : data });
      };
      for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, k) => one(i + k + 1)));
    };

    it('"jive.webhooks.consumer.payload_size Number of notifications to include in a single callback. 100": a system webhook created without tuning fields gets arrays of up to 100 events', async () => {
      const t = await newTenant(system, 'tuning');
      const wh = await t.api.createWebhook({ events: 'user_account', callback: `${receiver.url}/jive-batched` });
      expect(wh).toMatchObject({ batch_size: 100, max_in_flight: 3 });
      await publishAll(t, 150, 'jive:user_account_created');
      const events = () => receiver.at('/jive-batched').flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body]));
      await waitFor(() => events().length >= 150, { timeoutMs: 30_000, what: '150 events at the batched Jive webhook' });
      const calls = receiver.at('/jive-batched');
      expect(calls.every((r) => Array.isArray(r.body) && r.body.length <= 100)).toBe(true);
      expect(calls.length).toBeLessThan(150);
      expect(calls.every((r) => r.headers['webhook-batch-size'] === String((r.body as unknown[]).length))).toBe(true);
      expect(new Set(events().map((e) => (e as { jive: { objectID: number } }).jive.objectID)).size).toBe(150);
    });

    it('"jive.webhooks.consumer.callbacks_per_exec Number of callbacks to perform each time the task runs. 3": never more than 3 callbacks in flight; payload_size 1 turns batching off', async () => {
      const t = await newTenant(system, 'tuning');
      receiver.behave('/jive-slow', { delayMs: 400 });
      const wh = await t.api.createWebhook({ events: 'user_account', callback: `${receiver.url}/jive-slow`, payload_size: 1 });
      expect(wh).toMatchObject({ batch_size: 1, max_in_flight: 3 });
      await publishAll(t, 15, 'jive:user_account_created');
      await waitFor(() => receiver.at('/jive-slow').filter((r) => r.answeredAt).length >= 15, { timeoutMs: 30_000, what: '15 slow calls' });
      const calls = receiver.at('/jive-slow');
      expect(calls.every((r) => !Array.isArray(r.body))).toBe(true);
      expect(mostAtOnce(calls)).toBeLessThanOrEqual(3);
      expect(mostAtOnce(calls)).toBeGreaterThanOrEqual(2);
    });

    it('notification webhooks stay unbatched: one JSON object per call (the notification seed does not batch)', async () => {
      const t = await newTenant(system, 'tuning');
      const wh = await t.api.createWebhook(tokenWebhook(receiver, '/notif-single', { email: ['topic-by-author'] }));
      expect(wh).toMatchObject({ batch_size: 1 });
      await publishAll(t, 5, 'topic-by-author');
      await waitFor(() => receiver.at('/notif-single').length >= 5, { timeoutMs: 30_000, what: '5 notification calls' });
      expect(receiver.at('/notif-single').every((r) => !Array.isArray(r.body) && r.headers['webhook-batch-size'] === undefined)).toBe(true);
    });

    it('"jive.webhooks.timeout.read.max Maximum timeout (in seconds) to use for reading from a connection 5": a Jive endpoint silent for longer fails the attempt with timeout:read', async () => {
      const t = await newTenant(system, 'tuning');
      receiver.behave('/jive-silent', { delayMs: 8_000 });
      const wh = await t.api.createWebhook({ events: 'user_account', callback: `${receiver.url}/jive-silent`, payload_size: 1 });
      await t.api.publish(event('jive:user_account_created', t.id));
      type Attempt = { error: { class?: string } | null; duration_ms: number };
      const attempts = async () => {
        const list = await t.api.expect<{ list?: { id: string }[]; data?: { id: string }[] }>(200, 'GET', `/v1/webhooks/${wh.id}/deliveries`);
        const first = (list.list ?? list.data ?? [])[0];
        if (!first) return [];
        return (await t.api.expect<{ attempts: Attempt[] }>(200, 'GET', `/v1/deliveries/${first.id}`)).attempts;
      };
      let seen: Attempt[] = [];
      await waitFor(async () => (seen = await attempts()).length >= 1, { timeoutMs: 20_000, what: 'the timed-out attempt' });
      expect(seen[0]).toMatchObject({ error: { class: 'timeout:read' } });
      expect(seen[0]!.duration_ms).toBeLessThan(8_000);
    }, 30_000);
  });

  // Issue 18.1 and 18.2 (acceptance): rotation with overlap and Ed25519, on the real pipeline.
  // Jive seed, system webhook category "webhook": "jive:webhook_created" ... "jive:webhook_marked_not_buggy";
  // hookstream adds its own jive:webhook_secret_rotated to that category.
  it('18.1: a rotation signs with both secrets during the grace period (standardwebhooks verifies either), then with the new one only; the system webhook hears webhook_secret_rotated', async () => {
    const sys = await tenant.api.createWebhook({ events: 'webhook', callback: `${receiver.url}/rotation-system` });
    const created = await tenant.api.createWebhook(tokenWebhook(receiver, '/rotation', { email: ['liked-message'] }, { signing: true }));
    const oldSecret = created.signing_secret as string;
    expect(oldSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(oldSecret.slice(6), 'base64')).toHaveLength(32);
    const delivered = async (n: number) => {
      await receiver.waitForUnique(n, { path: '/rotation', timeoutMs: 30_000 });
      return receiver.at('/rotation').at(-1)!;
    };
    // Both verifiers must agree: the standardwebhooks library unchanged, and packages/verify.
    const verifies = (secret: string, r: { raw: string; headers: Record<string, unknown> }) => {
      const by = (check: () => unknown) => {
        try {
          check();
          return true;
        } catch {
          return false;
        }
      };
      const library = by(() => new Webhook(secret).verify(r.raw, r.headers as Record<string, string>));
      const ours = by(() => hookstreamVerify(r.raw, r.headers as Record<string, string>, [secret]));
      expect(ours).toBe(library);
      return library;
    };

    await tenant.api.publish(event('liked-message', tenant.id));
    const before = await delivered(1);
    expect(verifies(oldSecret, before)).toBe(true);

    const rotation = await tenant.api.expect<{ signing_secret: string; previous_expires_at: string }>(
      200,
      'POST',
      `/v1/webhooks/${created.id}/signing-secret/rotate`,
      { grace_period_s: 3 },
    );
    const newSecret = rotation.signing_secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    const current = await tenant.api.expect<{ signing_secret: string }>(200, 'GET', `/v1/webhooks/${created.id}/signing-secret`);
    expect(current.signing_secret).toBe(newSecret);

    await tenant.api.publish(event('liked-message', tenant.id));
    const during = await delivered(2);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(newSecret, during)).toBe(true);
    expect(verifies(oldSecret, during)).toBe(true);

    const expiry = Date.parse(rotation.previous_expires_at);
    await waitFor(() => Date.now() > expiry + 1000, { timeoutMs: 10_000, what: 'the end of the grace period' });
    await tenant.api.publish(event('liked-message', tenant.id));
    const after = await delivered(3);
    expect(verifies(newSecret, after)).toBe(true);
    expect(verifies(oldSecret, after)).toBe(false);

    // A system webhook gets the Jive seed's payload_size 100: each call carries an array of events.
    const systemEvents = () => receiver.at('/rotation-system').flatMap((r) => (Array.isArray(r.body) ? (r.body as unknown[]) : [r.body]));
    await waitFor(() => systemEvents().some((b) => (b as { verb: string }).verb === 'jive:webhook_secret_rotated'), {
      timeoutMs: 30_000,
      what: 'webhook_secret_rotated at the system webhook',
    });
    for (const b of systemEvents()) expect((b as { webhook: string }).webhook).toBe(webhookUri(sys.id));
    for (const r of receiver.at('/rotation-system')) {
      expect(r.raw).not.toContain(newSecret.slice(6));
      expect(r.raw).not.toContain(oldSecret.slice(6));
    }
  });

  it('19.3: a Slack-shaped transform is received as such and verifies with the signature (standardwebhooks and @hookstream/verify); an expression that loops forever is cut off, recorded as transform_error, and other webhooks keep being delivered', async () => {
    const slackTransform =
      '{"text": "*" & type & "* on " & subject & " from " & source & " (" & id & ")", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": data.event_id}}]}';
    const looping = '( $f := function($x){ $f($x) }; $f(1) )';
    const t = await newTenant(system, 'transform');
    // Checked at API time: a 400 naming /transform, with JSONata's position.
    const broken = await t.api.request<{ details: { path: string; message: string }[] }>(
      'POST',
      '/v1/webhooks',
      tokenWebhook(receiver, '/slack', { email: ['user-followed'] }, { transform: '{"text": }' }),
    );
    expect(broken.status).toBe(400);
    expect(broken.body.details).toEqual([
      expect.objectContaining({ path: '/transform', message: expect.stringMatching(/does not compile: S0211.*position 10/) }),
    ]);

    const slack = await t.api.createWebhook(tokenWebhook(receiver, '/slack', { email: ['user-followed'] }, { signing: true, transform: slackTransform }));
    const secret = slack.signing_secret as string;
    const loop = await t.api.createWebhook(tokenWebhook(receiver, '/loop', { email: ['user-followed'] }, { transform: looping }));
    expect(loop.transform).toBe(looping);
    const dlq = await system.kafka.consume(system.kafka.topics.deliveriesDlq);

    const preview = await t.api.expect<{ ok: boolean; body?: unknown; error?: string }>(200, 'POST', `/v1/webhooks/${slack.id}/transform/test`, {
      event: { id: 'evt-1', type: 'user-followed', source: '/src', subject: 'thread-7', data: { event_id: 'evt-1' } },
    });
    expect(preview).toEqual({
      ok: true,
      body: { text: '*user-followed* on thread-7 from /src (evt-1)', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'evt-1' } }] },
    });
    const loopPreview = await t.api.expect<{ ok: boolean; error?: string }>(200, 'POST', `/v1/webhooks/${loop.id}/transform/test`, { event: { data: {} } });
    expect(loopPreview).toEqual({ ok: false, error: expect.stringMatching(/D1011|D1012/) });

    // A webhook without a transform: 409 unless a draft is sent; a draft is compiled like a saved one.
    const plain = await t.api.createWebhook(tokenWebhook(receiver, '/plain', { email: ['user-mentioned'] }));
    const preview409 = await t.api.request('POST', `/v1/webhooks/${plain.id}/transform/test`, { event: { data: {} } });
    expect(preview409.status).toBe(409);
    const badDraft = await t.api.request<{ details: { path: string }[] }>('POST', `/v1/webhooks/${plain.id}/transform/test`, {
      event: { data: {} },
      transform: '{"a": }',
    });
    expect(badDraft.status).toBe(400);
    expect(badDraft.body.details.map((d) => d.path)).toEqual(['/transform']);
    const draft = await t.api.expect<unknown>(200, 'POST', `/v1/webhooks/${plain.id}/transform/test`, {
      event: { data: { n: 2 } },
      transform: '{"twice": data.n * 2}',
    });
    expect(draft).toEqual({ ok: true, body: { twice: 4 } });

    const first = event('user-followed', t.id, { subject: 'thread-7' });
    await t.api.publish(first);
    await receiver.waitForUnique(1, { path: '/slack', timeoutMs: 30_000 });
    const got = receiver.at('/slack')[0]!;
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.body).toEqual({
      text: `*user-followed* on thread-7 from ${first.source} (${first.id})`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: first.id } }],
    });
    // The signature covers the transformed body, the bytes actually sent.
    expect(new Webhook(secret).verify(got.raw, got.headers as Record<string, string>)).toEqual(got.body);
    expect(hookstreamVerify(got.raw, got.headers as Record<string, string>, [secret]).id).toBe(got.headers['webhook-id']);

    // The looping expression: discarded with reason transform_error and the message in the history; nothing reaches /loop.
    const letter = await waitFor(
      () => dlq.json<{ job: { webhook_id: string; delivery_id: string }; reason: string }>().find((l) => l.job.webhook_id === loop.id),
      { timeoutMs: 30_000, what: 'the dead letter of the looping transform' },
    );
    expect(letter.reason).toBe('transform_error');
    const history = await waitFor(
      async () => {
        const d = await t.api.request<{ status: string; last_error: string | null }>('GET', `/v1/deliveries/${letter.job.delivery_id}`);
        return d.body.status === 'discarded' ? d.body : undefined;
      },
      { timeoutMs: 10_000, what: 'the looping delivery discarded in the history' },
    );
    expect(history.last_error).toMatch(/^transform_error: D101[12]: (Stack overflow|Evaluation timeout)/);
    expect(receiver.at('/loop')).toHaveLength(0);

    // The worker goes on: the next event reaches the Slack webhook, and again the looping one is cut off.
    await t.api.publish(event('user-followed', t.id, { subject: 'thread-8' }));
    await receiver.waitForUnique(2, { path: '/slack', timeoutMs: 30_000 });
    expect((receiver.at('/slack').at(-1)!.body as { text: string }).text).toMatch(/on thread-8 /);
    await waitFor(() => dlq.json<{ job: { webhook_id: string } }>().filter((l) => l.job.webhook_id === loop.id).length === 2, {
      timeoutMs: 30_000,
      what: 'the second looping delivery dead-lettered',
    });
    expect(receiver.at('/loop')).toHaveLength(0);
  });

  it('18.2: an ed25519 webhook signs v1a,<signature> that crypto.verify accepts with the published whpk_ public key (the private key is never answered)', async () => {
    const created = await tenant.api.createWebhook(tokenWebhook(receiver, '/ed25519', { email: ['liked-message'] }, { signature_scheme: 'ed25519' }));
    expect(JSON.stringify(created)).not.toMatch(/whsk_/);
    const published = await tenant.api.expect<{ signature_scheme: string; public_key: string }>(200, 'GET', `/v1/webhooks/${created.id}/signing-secret`);
    expect(published.signature_scheme).toBe('ed25519');
    expect(published.public_key).toMatch(/^whpk_/);
    expect(JSON.stringify(published)).not.toMatch(/whsk_/);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(published.public_key.slice(5), 'base64')]);
    const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });

    await tenant.api.publish(event('liked-message', tenant.id));
    await receiver.waitForUnique(1, { path: '/ed25519', timeoutMs: 30_000 });
    const r = receiver.at('/ed25519')[0]!;
    const header = String(r.headers['webhook-signature']);
    expect(header).toMatch(/^v1a,/);
    const signed = Buffer.from(`${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.raw}`);
    expect(cryptoVerify(null, signed, publicKey, Buffer.from(header.slice(4), 'base64'))).toBe(true);
    expect(hookstreamVerify(r.raw, r.headers as Record<string, string>, [published.public_key]).id).toBe(r.headers['webhook-id']);
  });

  // Issue 17.4, Jive seed: "jive:webhook_marked_buggy" / "jive:webhook_marked_not_buggy", and
  // "PUT /webhooks/{webhookID}/enable: Re-enable a webhook that was disabled. If the webhook was enabled then this request will be ignored."
  describe('buggy webhooks lose nothing (#17.4)', () => {
    type Hook = { id: string; buggy: boolean; enabled: boolean; marked_buggy_at: string | null; recovered_deliveries?: number };
    type Delivery = { id: string; event_id: string; status: string; last_error: string | null };
    const eventIdsAt = (path: string) =>
      receiver
        .at(path)
        .filter((r) => r.status < 300)
        .map((r) => (r.body as { event_id: string }).event_id);
    const skippedOf = async (id: string) =>
      (await tenant.api.expect<{ list: Delivery[] }>(200, 'GET', `/v1/webhooks/${id}/deliveries?status=skipped&count=100`)).list;

    /** Fails the endpoint until the webhook is marked buggy (BUGGY_AFTER_DISCARDS, 5 by default), then publishes `held` events in one subject's order. */
    async function markBuggyAndHold(path: string, held: number) {
      receiver.behave(path, { status: 500 });
      const wh = await tenant.api.createWebhook(tokenWebhook(receiver, path, { email: ['user-followed'] }, { retry_max_count: 0, max_in_flight: 1 }));
      const subject = `recovery-${path}`;
      for (let i = 0; i < 5; i++) await tenant.api.publish(event('user-followed', tenant.id, { subject }));
      await waitFor(async () => (await tenant.api.expect<Hook>(200, 'GET', `/v1/webhooks/${wh.id}`)).buggy, { timeoutMs: 30_000, what: 'marked buggy' });
      const sent: string[] = [];
      for (let i = 0; i < held; i++) {
        const e = event('user-followed', tenant.id, { subject });
        await tenant.api.publish(e);
        sent.push(e.id);
      }
      await waitFor(async () => (await skippedOf(wh.id)).length === held, { timeoutMs: 30_000, what: 'held deliveries recorded skipped' });
      receiver.behave(path, { status: 200 });
      return { id: wh.id, sent };
    }

    it('shows buggy:true with the time it was marked on every read, and the list filters by it', async () => {
      const before = Date.now();
      const { id } = await markBuggyAndHold('/buggy-visible', 1);
      const got = await tenant.api.expect<Hook>(200, 'GET', `/v1/webhooks/${id}`);
      // A buggy webhook is not enabled: the seed's enable "re-enable[s] a webhook that was disabled" and ignores an enabled one.
      expect(got).toMatchObject({ buggy: true, enabled: false });
      expect(Date.parse(got.marked_buggy_at!)).toBeGreaterThanOrEqual(before - 1000);
      const buggyList = await tenant.api.expect<{ list: Hook[] }>(200, 'GET', '/v1/webhooks?buggy=true&count=100');
      expect(buggyList.list.map((w) => w.id)).toContain(id);
      expect(buggyList.list.every((w) => w.buggy)).toBe(true);
      const healthy = await tenant.api.expect<{ list: Hook[] }>(200, 'GET', '/v1/webhooks?buggy=false&count=100');
      expect(healthy.list.map((w) => w.id)).not.toContain(id);
      const bad = await tenant.api.request<{ details: { path: string }[] }>('GET', '/v1/webhooks?buggy=maybe');
      expect(bad.status).toBe(400);
      expect(bad.body.details[0]!.path).toBe('/query/buggy');
    });

    it('re-enabling replays the deliveries skipped while buggy, in publication order, as the same delivery ids; the history keeps the skip and its reason', async () => {
      const { id, sent } = await markBuggyAndHold('/buggy-recover', 4);
      const skipped = await skippedOf(id);
      expect(skipped.every((d) => /buggy/.test(d.last_error ?? ''))).toBe(true);
      expect(eventIdsAt('/buggy-recover').filter((e) => sent.includes(e))).toEqual([]);

      const enabled = await tenant.api.expect<Hook>(200, 'PUT', `/v1/webhooks/${id}/enable`);
      expect(enabled).toMatchObject({ buggy: false, enabled: true, marked_buggy_at: null, recovered_deliveries: 4 });
      await waitFor(() => sent.every((e) => eventIdsAt('/buggy-recover').includes(e)), { timeoutMs: 30_000, what: 'held deliveries recovered' });
      expect(eventIdsAt('/buggy-recover').filter((e) => sent.includes(e))).toEqual(sent);
      // Same delivery ids as the skipped records: a receiver deduplicates on webhook-id.
      const ids = receiver
        .at('/buggy-recover')
        .filter((r) => sent.includes((r.body as { event_id: string }).event_id))
        .map((r) => r.headers['webhook-id']);
      expect(new Set(ids)).toEqual(new Set(skipped.map((d) => d.id)));

      const one = skipped[0]!;
      await waitFor(async () => (await tenant.api.expect<{ status: string }>(200, 'GET', `/v1/deliveries/${one.id}`)).status === 'delivered', {
        what: 'recorded delivered',
      });
      const history = await tenant.api.expect<{ attempts: { outcome: string; error: { class: string; message: string } | null }[] }>(
        200,
        'GET',
        `/v1/deliveries/${one.id}`,
      );
      expect(history.attempts[0]).toMatchObject({ outcome: 'skipped', error: { class: 'recovered', message: one.last_error } });
      expect(history.attempts.at(-1)!.outcome).toBe('delivered');
    });

    it('?recover=false re-enables without replaying: what was held stays skipped', async () => {
      const { id, sent } = await markBuggyAndHold('/buggy-norecover', 2);
      const enabled = await tenant.api.expect<Hook>(200, 'PUT', `/v1/webhooks/${id}/enable?recover=false`);
      expect(enabled).toMatchObject({ buggy: false, enabled: true, recovered_deliveries: 0 });
      const marker = event('user-followed', tenant.id, { subject: 'recovery-/buggy-norecover' });
      await tenant.api.publish(marker);
      await waitFor(() => eventIdsAt('/buggy-norecover').includes(marker.id), { timeoutMs: 30_000, what: 'a new event delivered' });
      expect(eventIdsAt('/buggy-norecover').filter((e) => sent.includes(e))).toEqual([]);
      expect((await skippedOf(id)).length).toBe(2);
      const bad = await tenant.api.request('PUT', `/v1/webhooks/${id}/enable?recover=nope`);
      expect(bad.status).toBe(400);
    });
  });
});
