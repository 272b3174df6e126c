import { createTenant, createWebhook, deleteWebhook, entityRequest, updateWebhook } from './helpers/seed.js';
import { WEBHOOKS_SEQ_HEADER } from '@hookstream/schemas';
import { webhookChangeSeq } from '@hookstream/store/testing';
import { event, jobsOf, labelledMetric, publish, startPipeline, waitForIndexed, waitForJobs, waitForSubscriptions, type Pipeline } from './helpers/pipeline.js';

// The rule: a change made through the API is in effect for every event published after the
// call returned, with no wait in between (the matcher catches up with the change feed before
// it matches a batch). Each step writes the row as the API does, then publishes at once.

describe('subscription index freshness (LISTEN/NOTIFY)', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline();
  });
  afterAll(async () => {
    await p?.close();
  });

  async function afterWrite(write: () => Promise<unknown>): Promise<void> {
    await write();
  }

  it('create, update, disable, re-enable and delete are in effect for events published right after', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    // Always subscribed to `stream`: its match proves the matcher has decided on an event.
    const witness = await createWebhook(db, tenant, entityRequest('stream'));
    await waitForSubscriptions(p);
    const key = `${tenant}:freshness`;
    const matchedBy = async (e: ReturnType<typeof event>) => (await waitForIndexed(p, tenant, e.id)).matched_webhooks.sort();

    // create
    let hook = '';
    await afterWrite(async () => {
      hook = await createWebhook(db, tenant, entityRequest('social_group'));
    });
    const created = event(tenant, 'jive:social_group_created');
    await publish(p, [created], key);
    expect((await waitForJobs(p, created.id, 1)).map((j) => j.webhook_id)).toEqual([hook]);

    // update: social_group -> stream
    await afterWrite(() => updateWebhook(db, hook, { request: entityRequest('stream') }));
    const oldCategory = event(tenant, 'jive:social_group_renamed');
    const newCategory = event(tenant, 'jive:stream_config_created');
    await publish(p, [oldCategory, newCategory], key);
    expect((await waitForJobs(p, newCategory.id, 2)).map((j) => j.webhook_id).sort()).toEqual([hook, witness].sort());
    expect(await matchedBy(oldCategory)).toEqual([]);

    // disable
    await afterWrite(() => updateWebhook(db, hook, { enabled: false }));
    const whileDisabled = event(tenant, 'jive:stream_config_modified');
    await publish(p, [whileDisabled], key);
    expect(await matchedBy(whileDisabled)).toEqual([witness]);

    // re-enable (the webhooks service's PUT /webhooks/{id}/enable)
    await afterWrite(() => updateWebhook(db, hook, { enabled: true }));
    const reenabled = event(tenant, 'jive:stream_config_deleted');
    await publish(p, [reenabled], key);
    expect((await waitForJobs(p, reenabled.id, 2)).map((j) => j.webhook_id).sort()).toEqual([hook, witness].sort());

    // delete
    await afterWrite(() => deleteWebhook(db, hook));
    const deleted = event(tenant, 'jive:stream_association_added');
    await publish(p, [deleted], key);
    expect(await matchedBy(deleted)).toEqual([witness]);

    for (const e of [oldCategory, whileDisabled, deleted]) expect(jobsOf(p, e.id).some((j) => j.webhook_id === hook)).toBe(false);
  });

  it('takes the change counter stamped on an event as proof its webhooks are recent enough, and is right to', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const counter = async () => String(await webhookChangeSeq(db));
    const viaCounter = () => labelledMetric(p, 'hookstream_matcher_subscription_checks_total', 'path="counter"');
    const before = await viaCounter();
    const pairs: { hook: string; e: ReturnType<typeof event> }[] = [];
    for (let i = 0; i < 20; i++) {
      const hook = await createWebhook(db, tenant, entityRequest('social_group'));
      // Stamped as the gateway would: the counter after the webhook's commit.
      const e = event(tenant, 'jive:social_group_created');
      await publish(p, [e], `${tenant}:stamped-${i}`, { [WEBHOOKS_SEQ_HEADER]: await counter() });
      pairs.push({ hook, e });
    }
    for (const [i, { e }] of pairs.entries()) {
      const matched = new Set((await waitForIndexed(p, tenant, e.id)).matched_webhooks);
      expect(pairs.slice(0, i + 1).filter((x) => !matched.has(x.hook))).toEqual([]);
    }
    // Some of them needed no round trip (the rest arrived before the change did, and waited).
    expect(await viaCounter()).toBeGreaterThan(before);
  });

  it('a webhook registered just before an event gets it, every time', async () => {
    const db = p.pg.db;
    const tenant = await createTenant(db);
    const pairs: { hook: string; e: ReturnType<typeof event> }[] = [];
    for (let i = 0; i < 20; i++) {
      const hook = await createWebhook(db, tenant, entityRequest('social_group'));
      const e = event(tenant, 'jive:social_group_created');
      await publish(p, [e], `${tenant}:race-${i}`);
      pairs.push({ hook, e });
    }
    // The i-th event is matched by every webhook registered before it (and maybe by later
    // ones, if the matcher read it after they were registered).
    for (const [i, { e }] of pairs.entries()) {
      const matched = new Set((await waitForIndexed(p, tenant, e.id)).matched_webhooks);
      expect(pairs.slice(0, i + 1).filter((x) => !matched.has(x.hook))).toEqual([]);
    }
  });
});
