import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { countWebhookDiscard, listBuggyWebhooks, loadWebhook, resetWebhookDiscards } from '../src/index.js';

describe('webhook records: discards and the buggy mark', () => {
  let t: TestDatabase;
  let tenantId: string;
  const insertWebhook = async (object: string): Promise<string> => {
    const [row] = await t
      .db('webhooks')
      .insert({ tenant_id: tenantId, kind: 'content', object, spec: JSON.stringify({ kind: 'content', object }), fingerprint: object })
      .returning('id');
    return row.id as string;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    [{ id: tenantId }] = await t.db('tenants').insert({ name: 'acme', api_key_hash: 'h', api_key_hint: 'x' }).returning('id');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('counts discards and marks the webhook buggy exactly once, at the threshold', async () => {
    const id = await insertWebhook('https://example.com/a');
    const before = (await loadWebhook(t.db, id))!;
    expect(await countWebhookDiscard(t.db, id, 3)).toEqual({ markedBuggy: false, tenantId, consecutiveFailures: 1 });
    expect(await countWebhookDiscard(t.db, id, 3)).toEqual({ markedBuggy: false, tenantId, consecutiveFailures: 2 });
    expect((await loadWebhook(t.db, id))!.revision).toBe(before.revision);

    expect(await countWebhookDiscard(t.db, id, 3)).toEqual({ markedBuggy: true, tenantId, consecutiveFailures: 3 });
    const marked = (await loadWebhook(t.db, id))!;
    expect(marked).toMatchObject({ buggy: true, consecutiveFailures: 3, revision: before.revision + 1 });
    expect(marked.markedBuggyAt).toBeInstanceOf(Date);

    expect(await countWebhookDiscard(t.db, id, 3)).toEqual({ markedBuggy: false, tenantId, consecutiveFailures: 4 });
    expect((await loadWebhook(t.db, id))!.revision).toBe(before.revision + 1);
  });

  it('restarts the count after a delivered call, keeping the buggy mark', async () => {
    const id = await insertWebhook('https://example.com/b');
    await countWebhookDiscard(t.db, id, 1);
    await resetWebhookDiscards(t.db, id);
    expect(await loadWebhook(t.db, id)).toMatchObject({ consecutiveFailures: 0, buggy: true });
    expect(await countWebhookDiscard(t.db, id, 5)).toEqual({ markedBuggy: false, tenantId, consecutiveFailures: 1 });
  });

  it('answers undefined for a webhook that no longer exists', async () => {
    expect(await countWebhookDiscard(t.db, '00000000-0000-0000-0000-000000000000', 3)).toBeUndefined();
  });

  it('lists the buggy webhooks, longest-marked first', async () => {
    const rows = await listBuggyWebhooks(t.db);
    expect(rows.map((r) => Object.keys(r).sort())).toEqual(rows.map(() => ['consecutive_failures', 'id', 'kind', 'marked_buggy_at', 'tenant_id']));
    const healthy = await insertWebhook('https://example.com/c');
    const ids = rows.map((r) => r.id);
    expect(ids).not.toContain(healthy);
    expect(ids).toHaveLength(2);
    const times = rows.map((r) => r.marked_buggy_at!.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(rows[0]).toMatchObject({ tenant_id: tenantId, kind: 'content' });
  });
});
