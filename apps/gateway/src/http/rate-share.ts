import type { Knex } from '@hookstream/service-kit';
import { deleteStaleRateDemand, removeRateDemand, totalRateDemand, upsertRateDemand, withdrawRateDemandExcept } from '@hookstream/store';
import type { Logger } from 'pino';

/**
 * Each tenant's share of its rate limit on this instance: this instance's request rate for
 * the tenant divided by the rate all live gateway instances reported (1 when no other
 * instance saw the tenant). Shares follow the traffic, so a tenant whose requests all reach
 * one instance (one keep-alive connection) still gets its whole limit there.
 */
export function sharesFrom(mine: ReadonlyMap<string, number>, totals: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [tenant, rate] of mine) {
    // No traffic here: nothing to split; the tenant starts from the whole limit when it comes.
    if (!(rate > 0)) continue;
    out.set(tenant, rate / Math.max(rate, totals.get(tenant) ?? rate));
  }
  return out;
}

/**
 * Splits tenant rate limits between gateway instances: every `intervalMs` each instance
 * reports what it saw per tenant (requests per second, refused ones too) to PostgreSQL and
 * reads what the others reported within `staleMs`. Between reports the split is the last
 * one known; a new tenant, or one back after a pause, starts with the whole limit for at
 * most one interval. If PostgreSQL cannot be reached the last split stays.
 */
export class ClusterRateShare {
  private seen = new Map<string, number>();
  private shares = new Map<string, number>();
  private reported = false;
  private lastAt = performance.now();
  private syncs = 0;
  private failing = false;
  private syncing = false;

  constructor(
    private readonly db: Knex,
    private readonly instanceId: string,
    private readonly logger: Logger,
    private readonly staleMs: number,
  ) {}

  /** Counts one request of a tenant. */
  note(tenant: string): void {
    this.seen.set(tenant, (this.seen.get(tenant) ?? 0) + 1);
  }

  share(tenant: string): number {
    return this.shares.get(tenant) ?? 1;
  }

  /** Reports this instance's rates and takes the new split. */
  async sync(): Promise<void> {
    // A slow PostgreSQL must not stack syncs; what arrives meanwhile goes into the next one.
    if (this.syncing) return;
    this.syncing = true;
    try {
      await this.syncOnce();
    } finally {
      this.syncing = false;
    }
  }

  private async syncOnce(): Promise<void> {
    const now = performance.now();
    const elapsedS = Math.max(0.001, (now - this.lastAt) / 1000);
    this.lastAt = now;
    const mine = new Map([...this.seen].map(([tenant, n]) => [tenant, n / elapsedS] as const));
    this.seen = new Map();
    try {
      await this.report(mine);
      this.shares = sharesFrom(mine, await this.totals([...mine.keys()]));
      if (this.failing) this.logger.info('tenant rate limit split: PostgreSQL answers again');
      this.failing = false;
    } catch (err) {
      // Requests keep being limited with the last split; one line per outage, not per second.
      if (!this.failing) this.logger.warn({ err }, 'tenant rate limit split: cannot reach PostgreSQL; keeping the last split');
      this.failing = true;
    }
  }

  /** Removes this instance's reports (at shutdown), so the others take the whole limit at once. */
  async leave(): Promise<void> {
    await removeRateDemand(this.db, this.instanceId);
  }

  private async report(mine: Map<string, number>): Promise<void> {
    const tenants = [...mine.keys()];
    await upsertRateDemand(this.db, this.instanceId, mine);
    // A tenant this instance no longer sees no longer takes part of the others' limit.
    if (this.reported || tenants.length > 0) await withdrawRateDemandExcept(this.db, this.instanceId, tenants);
    this.reported = tenants.length > 0;
    // Reports of instances that died without leaving; any instance may clear them.
    if (++this.syncs % 60 === 0) {
      await deleteStaleRateDemand(this.db, 60);
    }
  }

  private async totals(tenants: string[]): Promise<Map<string, number>> {
    return totalRateDemand(this.db, tenants, this.staleMs / 1000);
  }
}
