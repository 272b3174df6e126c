import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox, SecretKeyRing } from '@hookstream/service-kit';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import {
  createTenant,
  getTenantSecret,
  loadWebhook,
  openWebhookSecrets,
  putTenantSecret,
  resealSecrets,
  sealWebhookSecrets,
  type ResealProgress,
} from '../src/index.js';
import { columnWhere, insertWebhookRow, webhookRow } from '../src/testing/index.js';

describe('resealing every sealed secret under the newest key (issue #16.8)', () => {
  let t: TestDatabase;
  const A = randomBytes(32).toString('base64');
  const B = randomBytes(32).toString('base64');
  const boxA = new SecretBox(A); // the former single key: v1 rows
  const boxBA = new SecretBox(SecretKeyRing.parse(`b:${B},v1:${A}`));
  const boxB = new SecretBox(SecretKeyRing.parse(`b:${B}`));
  const webhooks: { id: string; token: string }[] = [];
  const tenantSecrets: { tenant: string; name: string; value: string }[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      const { id: tenant } = await createTenant(t.db, `t${i}`, { api_key_hash: randomUUID(), api_key_hint: 'x' });
      for (let j = 0; j < 3; j++) {
        const id = randomUUID();
        const token = `token-${i}-${j}-${randomUUID()}`;
        const sealed = sealWebhookSecrets(boxA, id, { token });
        await insertWebhookRow(t.db, { id, tenant_id: tenant, kind: 'notification', spec: '{}', fingerprint: `f${j}`, secrets_enc: sealed });
        webhooks.push({ id, token });
      }
      // A webhook without secrets has nothing to reseal.
      await insertWebhookRow(t.db, { tenant_id: tenant, kind: 'notification', spec: '{}', fingerprint: 'none', secrets_enc: null });
      for (const name of ['alpha', 'beta']) {
        const value = `value-${i}-${name}-${randomUUID()}`;
        await putTenantSecret(t.db, boxA, tenant, name, value);
        tenantSecrets.push({ tenant, name, value });
      }
    }
  });
  afterAll(async () => {
    await t.drop();
  });

  const sealedColumns = async () => [
    ...((await columnWhere(t.db, 'webhooks', 'secrets_enc', {})) as (string | null)[]).filter((v): v is string => v !== null),
    ...((await columnWhere(t.db, 'tenant_secrets', 'value_enc', {})) as string[]),
  ];

  it('reseals in batches, survives an interruption after one batch, and a rerun finishes the rest', async () => {
    const before = await webhookRow(t.db, webhooks[0]!.id);

    // Interrupted: the process dies right after its first batch committed.
    const seen: ResealProgress[] = [];
    await expect(
      resealSecrets(t.db, boxBA, {
        batchSize: 2,
        onBatch: (p) => {
          seen.push(p);
          throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(seen).toEqual([{ table: 'webhooks', resealed: 2, failed: 0 }]);
    const half = await sealedColumns();
    expect(half.filter((s) => s.startsWith('v2.b.'))).toHaveLength(2);
    expect(half.filter((s) => s.startsWith('v1.'))).toHaveLength(8);

    const batches: ResealProgress[] = [];
    const report = await resealSecrets(t.db, boxBA, { batchSize: 2, onBatch: (p) => void batches.push(p) });
    expect(report).toEqual({
      stopped: false,
      tables: [
        { table: 'webhooks', resealed: 4, alreadyCurrent: 2, failed: 0 },
        { table: 'tenant_secrets', resealed: 4, alreadyCurrent: 0, failed: 0 },
      ],
    });
    expect(batches.length).toBe(4);
    expect((await sealedColumns()).every((s) => s.startsWith('v2.b.'))).toBe(true);

    // Idempotent: a third run finds nothing to do.
    const again = await resealSecrets(t.db, boxBA, { batchSize: 2 });
    expect(again.tables.map((r) => r.resealed)).toEqual([0, 0]);
    expect(again.tables.map((r) => r.alreadyCurrent)).toEqual([6, 4]);

    // The webhook's configuration did not change: same revision and update time (no new version for the API or the caches).
    const after = await webhookRow(t.db, webhooks[0]!.id);
    expect([after!.revision, after!.updated_at]).toEqual([before!.revision, before!.updated_at]);
  });

  it('leaves every secret readable with the new key alone, same plaintext, same row context', async () => {
    for (const w of webhooks) {
      const record = await loadWebhook(t.db, w.id);
      expect(openWebhookSecrets(boxB, w.id, record!.secretsEnc)).toEqual({ token: w.token });
      // Still bound to its row: another webhook's context does not open it.
      expect(() => openWebhookSecrets(boxB, randomUUID(), record!.secretsEnc)).toThrow();
      // And no longer under the old key.
      expect(() => openWebhookSecrets(boxA, w.id, record!.secretsEnc)).toThrow();
    }
    for (const s of tenantSecrets) expect(await getTenantSecret(t.db, boxB, s.tenant, s.name)).toBe(s.value);
  });

  it('counts a row it cannot open as failed, names it without its value, and goes on', async () => {
    const { id: tenant } = await createTenant(t.db, 'lost', { api_key_hash: randomUUID(), api_key_hint: 'x' });
    const lost = new SecretBox(SecretKeyRing.parse(`gone:${randomBytes(32).toString('base64')}`));
    await putTenantSecret(t.db, lost, tenant, 'orphan', 'orphan-value');
    const toC = new SecretBox(SecretKeyRing.parse(`c:${randomBytes(32).toString('base64')},b:${B}`));
    const failures: string[] = [];
    const report = await resealSecrets(t.db, toC, { batchSize: 3, onFailure: (f) => failures.push(`${f.row}: ${f.reason}`) });
    expect(report.tables).toEqual([
      { table: 'webhooks', resealed: 6, alreadyCurrent: 0, failed: 0 },
      { table: 'tenant_secrets', resealed: 4, alreadyCurrent: 0, failed: 1 },
    ]);
    expect(failures).toEqual([`tenant ${tenant} secret orphan: sealed under key id "gone", which is not in the key ring`]);
    expect(failures.join()).not.toContain('orphan-value');
  });

  it('stops between batches when asked to', async () => {
    const controller = new AbortController();
    const toD = new SecretBox(SecretKeyRing.parse(`d:${randomBytes(32).toString('base64')},c:${randomBytes(32).toString('base64')},b:${B}`));
    // Rows are under c, which this ring holds under a different key: every open fails, but the stop comes first.
    const report = await resealSecrets(t.db, toD, { batchSize: 1, onBatch: () => controller.abort(), signal: controller.signal });
    expect(report.stopped).toBe(true);
    expect(report.tables.reduce((n, r) => n + r.resealed + r.failed, 0)).toBe(1);
  });
});
