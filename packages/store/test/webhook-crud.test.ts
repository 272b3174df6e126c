import { randomUUID } from 'node:crypto';
import type { WebhookSpec } from '@hookstream/schemas';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import {
  deleteTenantWebhook,
  findWebhookIdByFingerprint,
  getTenantWebhook,
  insertWebhook,
  listTenantWebhooks,
  lockTenantWebhook,
  reenableWebhook,
  replaceWebhook,
  setWebhookEnabled,
  webhookExists,
  type WebhookWrite,
} from '../src/index.js';

const write = (object: string, fingerprint = object, enabled = true): WebhookWrite => ({
  kind: 'content',
  enabled,
  object,
  spec: { kind: 'content', enabled, object, endpoint: 'https://example.com/hook' } as unknown as WebhookSpec,
  secretsEnc: null,
  fingerprint,
});

describe('webhook CRUD of the control plane', () => {
  let t: TestDatabase;
  let tenant: string;
  let other: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    [{ id: tenant }, { id: other }] = await t
      .db('tenants')
      .insert([
        { name: 'acme', api_key_hash: 'h1', api_key_hint: 'x' },
        { name: 'other', api_key_hash: 'h2', api_key_hint: 'y' },
      ])
      .returning('id');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('inserts a webhook, and ignores a second one with the same fingerprint', async () => {
    const id = randomUUID();
    const row = await insertWebhook(t.db, tenant, id, write('https://example.com/a', 'fp-a'));
    expect(row).toMatchObject({ id, tenant_id: tenant, kind: 'content', enabled: true, object: 'https://example.com/a', fingerprint: 'fp-a' });
    expect(row!.spec).toMatchObject({ object: 'https://example.com/a' });
    expect(await insertWebhook(t.db, tenant, randomUUID(), write('https://example.com/a', 'fp-a'))).toBeUndefined();
    expect(await findWebhookIdByFingerprint(t.db, tenant, 'fp-a')).toBe(id);
    expect(await findWebhookIdByFingerprint(t.db, tenant, 'fp-a', id)).toBeUndefined();
    // Fingerprints are per tenant.
    expect(await insertWebhook(t.db, other, randomUUID(), write('https://example.com/a', 'fp-a'))).toBeDefined();
  });

  it("reads only the tenant's own webhooks", async () => {
    const id = randomUUID();
    await insertWebhook(t.db, tenant, id, write('https://example.com/own'));
    expect((await getTenantWebhook(t.db, tenant, id))?.id).toBe(id);
    expect(await getTenantWebhook(t.db, other, id)).toBeUndefined();
    expect(await webhookExists(t.db, tenant, id)).toBe(true);
    expect(await webhookExists(t.db, other, id)).toBe(false);
  });

  it('lists in creation order, pages, and filters by watched object', async () => {
    const tenantId = (await t.db('tenants').insert({ name: 'lister', api_key_hash: 'h3', api_key_hint: 'z' }).returning('id'))[0].id as string;
    const ids: string[] = [];
    for (const o of ['o1', 'o2', 'o3']) {
      const id = randomUUID();
      await insertWebhook(t.db, tenantId, id, write(`https://example.com/${o}`));
      ids.push(id);
    }
    expect((await listTenantWebhooks(t.db, tenantId, { offset: 0, limit: 10 })).map((w) => w.id)).toEqual(ids);
    expect((await listTenantWebhooks(t.db, tenantId, { offset: 1, limit: 1 })).map((w) => w.id)).toEqual([ids[1]]);
    const filtered = await listTenantWebhooks(t.db, tenantId, { objects: ['https://example.com/o3', 'https://example.com/o1'], offset: 0, limit: 10 });
    expect(filtered.map((w) => w.id)).toEqual([ids[0], ids[2]]);
  });

  it('replaces a configuration with a new revision, and fails on a duplicate fingerprint', async () => {
    const id = randomUUID();
    const before = (await insertWebhook(t.db, tenant, id, write('https://example.com/r1', 'fp-r1')))!;
    await insertWebhook(t.db, tenant, randomUUID(), write('https://example.com/r2', 'fp-r2'));
    const after = await replaceWebhook(t.db, tenant, id, write('https://example.com/r3', 'fp-r3', false));
    expect(after).toMatchObject({ object: 'https://example.com/r3', fingerprint: 'fp-r3', enabled: false });
    expect(Number(after!.revision)).toBe(Number(before.revision) + 1);
    expect(await replaceWebhook(t.db, other, id, write('https://example.com/r4', 'fp-r4'))).toBeUndefined();
    await expect(replaceWebhook(t.db, tenant, id, write('https://example.com/r2', 'fp-r2'))).rejects.toMatchObject({ code: '23505' });
  });

  it('switches enabled in the column and the spec, and re-enables a buggy webhook', async () => {
    const id = randomUUID();
    await insertWebhook(t.db, tenant, id, write('https://example.com/e'));
    const off = await setWebhookEnabled(t.db, id, false);
    expect(off).toMatchObject({ enabled: false, spec: expect.objectContaining({ enabled: false }) });
    await t.db('webhooks').where({ id }).update({ buggy: true, consecutive_failures: 9, marked_buggy_at: new Date() });
    const on = await reenableWebhook(t.db, id);
    expect(on).toMatchObject({ enabled: true, buggy: false, consecutive_failures: 0, marked_buggy_at: null, spec: expect.objectContaining({ enabled: true }) });
    expect(Number(on!.revision)).toBe(Number(off!.revision) + 1);
  });

  it('locks the row for the rest of the transaction', async () => {
    const id = randomUUID();
    await insertWebhook(t.db, tenant, id, write('https://example.com/lock'));
    await t.db.transaction(async (trx) => {
      expect((await lockTenantWebhook(trx, tenant, id))?.id).toBe(id);
      // Another session cannot take the same lock while this transaction holds it.
      await expect(t.db.raw('SELECT id FROM webhooks WHERE id = ? FOR UPDATE NOWAIT', [id])).rejects.toMatchObject({ code: '55P03' });
    });
    expect(await t.db.transaction((trx) => lockTenantWebhook(trx, other, id))).toBeUndefined();
  });

  it("deletes only the tenant's own webhook", async () => {
    const id = randomUUID();
    await insertWebhook(t.db, tenant, id, write('https://example.com/d'));
    expect(await deleteTenantWebhook(t.db, other, id)).toBe(false);
    expect(await deleteTenantWebhook(t.db, tenant, id)).toBe(true);
    expect(await deleteTenantWebhook(t.db, tenant, id)).toBe(false);
    expect(await getTenantWebhook(t.db, tenant, id)).toBeUndefined();
  });
});
