import { createTestDatabase, type TestDatabase } from '../src/index.js';

describe('the real PostgreSQL server', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('runs on a real server', async () => {
    const { rows } = await t.db.raw<{ rows: { v: string }[] }>('select version() as v');
    expect(rows[0]!.v).toMatch(/^PostgreSQL \d+/);
  });

  it('migrates a fresh database and round-trips a row', async () => {
    const [tenant] = await t.db('tenants').insert({ name: 'acme', api_key_hash: 'h1', api_key_hint: 'hs_…1' }).returning('*');
    expect(tenant.id).toMatch(/^[0-9a-f-]{36}$/);
    const back = await t.db('tenants').where({ id: tenant.id }).first();
    expect(back).toMatchObject({ name: 'acme', api_key_hash: 'h1' });
    const migrations = await t.db('knex_migrations').pluck('name');
    expect(migrations).toContain('0001-core');
  });

  it('notifies listeners when a webhook changes', async () => {
    const conn = await t.db.client.acquireConnection();
    const payloads: string[] = [];
    conn.on('notification', (m: { payload: string }) => payloads.push(m.payload));
    await conn.query('LISTEN hookstream_webhook_changes');
    const [tenant] = await t.db('tenants').insert({ name: 'n', api_key_hash: 'h2', api_key_hint: 'x' }).returning('id');
    const [wh] = await t
      .db('webhooks')
      .insert({ tenant_id: tenant.id, kind: 'system', spec: JSON.stringify({ events: ['webhook'] }), fingerprint: 'f' })
      .returning('id');
    const deadline = Date.now() + 5000;
    while (payloads.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await t.db.client.releaseConnection(conn);
    expect(JSON.parse(payloads[0]!)).toMatchObject({ op: 'INSERT', id: wh.id, tenant_id: tenant.id });
  });
});
