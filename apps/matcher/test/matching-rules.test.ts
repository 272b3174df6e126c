import { deliveryId, fixtures, SYSTEM_EVENT_CATEGORIES, SYSTEM_VERBS, systemCategoryOf, type DeliveryJob } from '@hookstream/schemas';
import { overwriteWebhookColumns, rowsWhere } from '@hookstream/store/testing';
import { createTenant, createWebhook, entityRequest, notificationRequest } from './helpers/seed.js';
import {
  event,
  jobs,
  jobsOf,
  publish,
  PUBLIC_URL,
  startPipeline,
  waitForIndexed,
  waitForJobs,
  waitForSubscriptions,
  type Pipeline,
} from './helpers/pipeline.js';

const JIVE = 'https://sample.jiveon.com/api/core/v3';
const PLACE = `${JIVE}/places/1020`;
const DOCUMENT = `${JIVE}/contents/2051`;
const uri = (id: string) => `${PUBLIC_URL}/v1/webhooks/${id}`;

function byWebhook(list: DeliveryJob[]): Record<string, DeliveryJob> {
  return Object.fromEntries(list.map((j) => [j.webhook_id, j]));
}

describe('matching rules (real matcher, Kafka and PostgreSQL)', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('notifications: registered type on at least one channel, channels intersected in event order, empty intersection dropped', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const otherTenant = await createTenant(db);
    const emailOnly = await createWebhook(db, tenant, notificationRequest(['user-mentioned']));
    const both = await createWebhook(db, tenant, notificationRequest(['user-mentioned'], ['user-mentioned']));
    const inAppOnly = await createWebhook(db, tenant, notificationRequest([], ['user-mentioned', 'liked-message']));
    const otherType = await createWebhook(db, tenant, notificationRequest(['user-followed']));
    const disabled = await createWebhook(db, tenant, notificationRequest(['user-mentioned']), { enabled: false });
    const foreign = await createWebhook(db, otherTenant, notificationRequest(['user-mentioned'], ['user-mentioned']));
    await overwriteWebhookColumns(db, emailOnly, { secrets_enc: 'sealed-secret-marker' });

    const data = fixtures.eventData('user-mentioned');
    delete data.event_id;
    const both2 = event(tenant, 'user-mentioned', { ...data, channels: ['in-app', 'email'] });
    const emailEvent = event(tenant, 'user-mentioned', { ...fixtures.eventData('user-mentioned'), channels: ['email'] });
    // The seed's alias as the envelope type; delivered under the canonical name.
    const alias = event(tenant, 'liked-messages', { ...fixtures.eventData('liked-message'), channels: ['email', 'in-app'] });
    await waitForSubscriptions(p);
    await publish(p, [both2, emailEvent, alias], `${tenant}:notifications`);

    const a = byWebhook(await waitForJobs(p, both2.id, 3));
    expect(Object.keys(a).sort()).toEqual([both, emailOnly, inAppOnly].sort());
    expect(a[emailOnly]!.body.channels).toEqual(['email']);
    expect(a[both]!.body.channels).toEqual(['in-app', 'email']);
    expect(a[inAppOnly]!.body.channels).toEqual(['in-app']);
    for (const [webhookId, job] of Object.entries(a)) {
      expect(job.delivery_id).toBe(deliveryId(both2.id, webhookId));
      expect(job).toMatchObject({ v: 1, attempt: 1, tenant_id: tenant, event_type: 'user-mentioned' });
      // No event_id in the published data: the CloudEvent id is used.
      expect(job.body).toMatchObject({ event_id: both2.id, type: 'user-mentioned', action_link: data.action_link, user: data.user });
    }

    const b = byWebhook(await waitForJobs(p, emailEvent.id, 2));
    expect(Object.keys(b).sort()).toEqual([both, emailOnly].sort());
    expect(b[both]!.body.channels).toEqual(['email']);
    expect(b[both]!.body.event_id).toBe(fixtures.eventData('user-mentioned').event_id);

    const c = await waitForJobs(p, alias.id, 1);
    expect(c.map((j) => j.webhook_id)).toEqual([inAppOnly]);
    expect(c[0]).toMatchObject({ event_type: 'liked-message', body: { type: 'liked-message', channels: ['in-app'] } });

    // The index rows are the matcher's final decisions: the dropped, disabled, foreign and other-type webhooks are absent.
    expect((await waitForIndexed(p, tenant, emailEvent.id)).matched_webhooks.sort()).toEqual([both, emailOnly].sort());
    expect((await waitForIndexed(p, tenant, alias.id)).matched_webhooks).toEqual([inAppOnly]);
    const all = jobs(p).filter((j) => j.tenant_id === tenant);
    expect(all).toHaveLength(6);
    for (const id of [otherType, disabled, foreign]) expect(all.some((j) => j.webhook_id === id)).toBe(false);
    // Jobs carry ids and the rendered body only: no endpoint, no auth configuration, no secret.
    const raw = p.deliveries.messages.map((m) => m.value!.toString()).join('\n');
    for (const needle of ['sealed-secret-marker', 'partners/test/token', 'auth_config', 'partner.example']) expect(raw).not.toContain(needle);
    expect(p.deliveries.messages.find((m) => JSON.parse(m.value!.toString()).event_id === both2.id)!.key!.toString()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('notifications: a webhook with a spot_id receives only events of its spot (spotid attribute, else the conversation_id prefix)', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const spotA = await createWebhook(db, tenant, notificationRequest(['user-mentioned', 'user-followed'], [], { spot_id: 'sp_A' }));
    const spotB = await createWebhook(db, tenant, notificationRequest(['user-mentioned', 'user-followed'], [], { spot_id: 'sp_B' }));
    const anySpot = await createWebhook(db, tenant, notificationRequest(['user-mentioned', 'user-followed']));

    const followed = () => {
      const d = fixtures.eventData('user-followed');
      delete d.conversation_id;
      return d;
    };
    const cases = [
      { e: event(tenant, 'user-mentioned', { ...fixtures.eventData('user-mentioned'), conversation_id: 'sp_A_post-1' }), want: [spotA, anySpot] },
      { e: event(tenant, 'user-mentioned', { ...fixtures.eventData('user-mentioned'), conversation_id: 'sp_B_x_y' }), want: [spotB, anySpot] },
      { e: event(tenant, 'user-mentioned', { ...fixtures.eventData('user-mentioned'), conversation_id: 'sp_C_post' }), want: [anySpot] },
      { e: event(tenant, 'user-followed', followed(), { spotid: 'sp_A' }), want: [spotA, anySpot] },
      { e: event(tenant, 'user-followed', followed()), want: [anySpot] },
      {
        e: event(tenant, 'user-mentioned', { ...fixtures.eventData('user-mentioned'), conversation_id: 'sp_A_post-2' }, { spotid: 'sp_B' }),
        want: [spotB, anySpot],
      },
    ];
    await waitForSubscriptions(p);
    await publish(
      p,
      cases.map((c) => c.e),
      `${tenant}:spots`,
    );
    for (const c of cases) {
      const got = await waitForJobs(p, c.e.id, c.want.length);
      expect(got.map((j) => j.webhook_id).sort()).toEqual([...c.want].sort());
      expect((await waitForIndexed(p, tenant, c.e.id)).matched_webhooks.sort()).toEqual([...c.want].sort());
    }
  });

  it('content: container or object (or parent content) watched, events as a content-type filter, webhook URI in the body', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const documentsInPlace = await createWebhook(db, tenant, entityRequest('document', PLACE)); // the seed's example
    const everythingInPlace = await createWebhook(db, tenant, entityRequest(undefined, PLACE));
    const discussionsInPlace = await createWebhook(db, tenant, entityRequest('discussion', PLACE));
    const theDocument = await createWebhook(db, tenant, entityRequest(undefined, DOCUMENT));
    const otherPlace = await createWebhook(db, tenant, entityRequest(undefined, `${JIVE}/places/9999`));

    const created = event(tenant, 'jive:created'); // a document in place 1020
    const commented = event(tenant, 'jive:commented'); // a comment whose parent is document 2051
    const replied = event(tenant, 'jive:replied'); // a message in discussion 2077, in place 1020
    const elsewhere = event(tenant, 'jive:liked', {
      ...fixtures.eventData('jive:liked'),
      object: { id: `${JIVE}/contents/8000`, objectType: 'jive:document' },
      target: { id: `${JIVE}/places/7777`, objectType: 'jive:space' },
    });
    await waitForSubscriptions(p);
    await publish(p, [created, commented, replied, elsewhere], `${tenant}:content`);

    const c1 = byWebhook(await waitForJobs(p, created.id, 3));
    expect(Object.keys(c1).sort()).toEqual([documentsInPlace, everythingInPlace, theDocument].sort());
    for (const [id, job] of Object.entries(c1)) {
      expect(job.body).toEqual({ ...created.data, webhook: uri(id) });
      expect(job.event_type).toBe('jive:created');
    }
    const c2 = await waitForJobs(p, commented.id, 3);
    expect(c2.map((j) => j.webhook_id).sort()).toEqual([documentsInPlace, everythingInPlace, theDocument].sort());
    const c3 = await waitForJobs(p, replied.id, 2);
    expect(c3.map((j) => j.webhook_id).sort()).toEqual([discussionsInPlace, everythingInPlace].sort());
    expect((await waitForIndexed(p, tenant, elsewhere.id)).matched_webhooks).toEqual([]);
    expect(jobs(p).some((j) => j.webhook_id === otherPlace)).toBe(false);
    expect(jobsOf(p, elsewhere.id)).toEqual([]);
  });

  it('system: a webhook receives the verbs of the categories it lists, for every category', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const perCategory: Record<string, string> = {};
    for (const category of Object.keys(SYSTEM_EVENT_CATEGORIES)) {
      perCategory[category] = await createWebhook(db, tenant, entityRequest(category));
    }
    const userish = await createWebhook(db, tenant, entityRequest('user_account,user_session,user_membership')); // the seed's example
    const contentHook = await createWebhook(db, tenant, entityRequest(undefined, PLACE));

    const events = SYSTEM_VERBS.map((verb) => event(tenant, verb));
    await waitForSubscriptions(p);
    await publish(p, events, `${tenant}:system`);
    for (const e of events) {
      const category = systemCategoryOf(e.type)!;
      const want = [perCategory[category]!, ...(['user_account', 'user_session', 'user_membership'].includes(category) ? [userish] : [])];
      const got = await waitForJobs(p, e.id, want.length);
      expect(got.map((j) => j.webhook_id).sort()).toEqual(want.sort());
      for (const j of got) expect(j.body).toMatchObject({ verb: e.type, webhook: uri(j.webhook_id), jive: e.data.jive });
    }
    const mine = jobs(p).filter((j) => j.tenant_id === tenant);
    expect(mine).toHaveLength(SYSTEM_VERBS.length + 8 + 2 + 2);
    expect(mine.some((j) => j.webhook_id === contentHook)).toBe(false);
  });

  it('buggy webhooks get no job: a skipped delivery with the rendered body is recorded instead, and the event index lists both matches', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const healthy = await createWebhook(db, tenant, entityRequest('stream'));
    const buggy = await createWebhook(db, tenant, entityRequest('stream'), { buggy: true });
    const e = event(tenant, 'jive:stream_config_created', undefined, { subject: 'stream-4410' });
    await waitForSubscriptions(p);
    await publish(p, [e]);

    const got = await waitForJobs(p, e.id, 1);
    expect(got.map((j) => j.webhook_id)).toEqual([healthy]);
    const row = await waitForIndexed(p, tenant, e.id);
    expect(row).toMatchObject({ type: 'jive:stream_config_created', source: e.source, subject: 'stream-4410' });
    expect(row.time?.toISOString()).toBe(new Date(e.time!).toISOString());
    expect(row.matched_webhooks.sort()).toEqual([healthy, buggy].sort());
    const skipped = await rowsWhere(db, 'deliveries', { webhook_id: buggy });
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      id: deliveryId(e.id, buggy),
      tenant_id: tenant,
      event_id: e.id,
      event_type: 'jive:stream_config_created',
      status: 'skipped',
      attempts: 0,
      body: { ...e.data, webhook: uri(buggy) },
    });
    expect(jobs(p).some((j) => j.webhook_id === buggy)).toBe(false);
  });
});
