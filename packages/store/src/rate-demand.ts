import type { Knex } from '@hookstream/service-kit';

/*
 * `gateway_rate_demand`: each gateway instance's recent request rate per tenant, from which
 * every instance computes its share of a tenant's rate limit.
 */

/** Deletes this instance's reports of tenants not in `keep`. */
export async function withdrawRateDemandExcept(db: Knex, instanceId: string, keep: string[]): Promise<void> {
  await db.raw('DELETE FROM gateway_rate_demand WHERE instance_id = ? AND tenant_id <> ALL(?::uuid[])', [instanceId, keep]);
}

/**
 * Records this instance's demand per tenant, leaving its other reports. Arrays, not one
 * parameter per row: any number of tenants fits in one statement.
 */
export async function upsertRateDemand(db: Knex, instanceId: string, demandPerS: ReadonlyMap<string, number>): Promise<void> {
  const tenants = [...demandPerS.keys()];
  if (tenants.length === 0) return;
  await db.raw(
    `INSERT INTO gateway_rate_demand (tenant_id, instance_id, demand_per_s, reported_at)
     SELECT t, ?, d, now() FROM unnest(?::uuid[], ?::float8[]) AS r(t, d)
     ON CONFLICT (tenant_id, instance_id) DO UPDATE SET demand_per_s = excluded.demand_per_s, reported_at = excluded.reported_at`,
    [instanceId, tenants, tenants.map((t) => demandPerS.get(t)!)],
  );
}

/** Removes every report of an instance (at its shutdown), so the others take the whole limit at once. */
export async function removeRateDemand(db: Knex, instanceId: string): Promise<void> {
  await db('gateway_rate_demand').where({ instance_id: instanceId }).delete();
}

/** Deletes reports older than `olderThanS`: those of instances that died without leaving. */
export async function deleteStaleRateDemand(db: Knex, olderThanS = 60): Promise<number> {
  return db('gateway_rate_demand')
    .where('reported_at', '<', db.raw('now() - make_interval(secs => ?)', [olderThanS]))
    .delete();
}

/** The summed demand of all instances per tenant, counting reports younger than `withinS`. */
export async function totalRateDemand(db: Knex, tenants: string[], withinS: number): Promise<Map<string, number>> {
  if (tenants.length === 0) return new Map();
  const { rows } = await db.raw<{ rows: { tenant_id: string; total: number }[] }>(
    `SELECT tenant_id, sum(demand_per_s) AS total FROM gateway_rate_demand
      WHERE tenant_id = ANY(?::uuid[]) AND reported_at > now() - make_interval(secs => ?)
      GROUP BY tenant_id`,
    [tenants, withinS],
  );
  return new Map(rows.map((r) => [r.tenant_id, Number(r.total)]));
}
