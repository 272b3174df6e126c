import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { deleteStaleRateDemand, removeRateDemand, totalRateDemand, upsertRateDemand, withdrawRateDemandExcept } from '../src/index.js';

describe('rate demand of gateway instances (gateway_rate_demand)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('sums the demand every instance reported per tenant and follows updates', async () => {
    const [a, b, quiet] = [randomUUID(), randomUUID(), randomUUID()];
    await upsertRateDemand(
      t.db,
      'gw1',
      new Map([
        [a, 10],
        [b, 2.5],
      ]),
    );
    await upsertRateDemand(t.db, 'gw2', new Map([[a, 5]]));
    expect(await totalRateDemand(t.db, [a, b, quiet], 60)).toEqual(
      new Map([
        [a, 15],
        [b, 2.5],
      ]),
    );
    await upsertRateDemand(t.db, 'gw2', new Map([[a, 1]]));
    expect((await totalRateDemand(t.db, [a], 60)).get(a)).toBe(11);
    expect(await totalRateDemand(t.db, [], 60)).toEqual(new Map());
  });

  it("withdraws an instance's other tenants, or all its reports when it leaves", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await upsertRateDemand(
      t.db,
      'gw3',
      new Map([
        [a, 1],
        [b, 1],
      ]),
    );
    await upsertRateDemand(t.db, 'gw4', new Map([[b, 4]]));
    await withdrawRateDemandExcept(t.db, 'gw3', [a]);
    expect(await t.db('gateway_rate_demand').where({ instance_id: 'gw3' }).pluck('tenant_id')).toEqual([a]);
    await withdrawRateDemandExcept(t.db, 'gw3', []);
    expect(await t.db('gateway_rate_demand').where({ instance_id: 'gw3' }).pluck('tenant_id')).toEqual([]);
    await removeRateDemand(t.db, 'gw4');
    expect(await totalRateDemand(t.db, [a, b], 60)).toEqual(new Map());
  });

  it('ignores reports older than the window and deletes stale ones', async () => {
    const a = randomUUID();
    await upsertRateDemand(t.db, 'live', new Map([[a, 3]]));
    await upsertRateDemand(t.db, 'dead', new Map([[a, 7]]));
    await t
      .db('gateway_rate_demand')
      .where({ instance_id: 'dead' })
      .update({ reported_at: new Date(Date.now() - 120_000) });
    expect((await totalRateDemand(t.db, [a], 30)).get(a)).toBe(3);
    expect(await deleteStaleRateDemand(t.db, 60)).toBe(1);
    expect(await t.db('gateway_rate_demand').where({ tenant_id: a }).pluck('instance_id')).toEqual(['live']);
  });
});
