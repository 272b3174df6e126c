import type { Knex } from '@hookstream/service-kit';
import { claimIngestedEvents, confirmIngestedEvents, ingestedEventAcceptedAt, pruneIngestedEvents, releaseIngestedEvents } from '@hookstream/store';

/** What a claim answers: the ids to publish, and the webhook change counter (migration 0006) when it was made. */
export interface Claim {
  fresh: Set<string>;
  /** Every webhook change acknowledged before the claim has a counter value <= this. */
  webhookSeq: number | undefined;
}

interface PendingClaim {
  tenantId: string;
  eventIds: string[];
  resolve(claim: Claim): void;
  reject(e: unknown): void;
}

/** Rows per claim statement: bounded so one statement stays short. */
const MAX_ROWS_PER_STATEMENT = 5000;

/**
 * The ids a tenant already published within the dedup window. `claim` returns the ids that
 * are new (or whose earlier sighting is older than the window): the ones to publish.
 *
 * A claim is pending (`accepted_at = '-infinity'`) until `confirm` records that the broker
 * acknowledged the event. A pending claim never makes a later request a duplicate: if the
 * process died between claiming and the broker's answer (SIGKILL, OOM), the client's retry
 * of the same id is published instead of being swallowed as "already accepted". Two requests
 * racing with one id may both publish it; the copies carry the same id (at least once).
 *
 * Claims of concurrent requests are coalesced: while one statement runs, new claims queue
 * and the next statement carries all of them (one multi-row INSERT ... ON CONFLICT ...
 * RETURNING over unnest'ed arrays). So a request costs at most one statement, never one
 * per event, and under load many requests share one.
 */
export class DedupStore {
  private queue: PendingClaim[] = [];
  private running = false;
  private confirmQueue: { tenantId: string; eventIds: string[]; resolve(): void; reject(e: unknown): void }[] = [];
  private confirming = false;

  constructor(
    private readonly db: Knex,
    private readonly windowS: number,
  ) {}

  claim(tenantId: string, eventIds: string[]): Promise<Claim> {
    if (eventIds.length === 0) return Promise.resolve({ fresh: new Set(), webhookSeq: undefined });
    return new Promise((resolve, reject) => {
      this.queue.push({ tenantId, eventIds, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch: PendingClaim[] = [];
        let rows = 0;
        while (this.queue.length && (batch.length === 0 || rows + this.queue[0]!.eventIds.length <= MAX_ROWS_PER_STATEMENT)) {
          const next = this.queue.shift()!;
          batch.push(next);
          rows += next.eventIds.length;
        }
        await this.claimTogether(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async claimTogether(batch: PendingClaim[]): Promise<void> {
    // The same (tenant, id) twice in one statement is an error for ON CONFLICT DO UPDATE;
    // a later claimant of a pair already in this statement is answered "seen".
    const pairs = new Set<string>();
    const tenants: string[] = [];
    const ids: string[] = [];
    const owner = new Map<string, PendingClaim>();
    for (const claim of batch) {
      for (const id of claim.eventIds) {
        const pair = `${claim.tenantId}\u0000${id}`;
        if (pairs.has(pair)) continue;
        pairs.add(pair);
        owner.set(pair, claim);
        tenants.push(claim.tenantId);
        ids.push(id);
      }
    }
    try {
      // Without the counter row (never expected) the events go unstamped: the matcher then checks.
      const { claimed, webhookSeq } = await claimIngestedEvents(this.db, tenants, ids, this.windowS);
      const fresh = new Map<PendingClaim, Set<string>>(batch.map((c) => [c, new Set<string>()]));
      for (const r of claimed) {
        const claim = owner.get(`${r.tenant_id}\u0000${r.event_id}`);
        if (claim) fresh.get(claim)!.add(r.event_id);
      }
      for (const claim of batch) claim.resolve({ fresh: fresh.get(claim)!, webhookSeq });
    } catch (e) {
      for (const claim of batch) claim.reject(e);
    }
  }

  /**
   * Marks claimed ids as published (the broker acknowledged them): from now on a request with
   * one of them is a duplicate. Confirmations of concurrent requests share one statement.
   */
  confirm(tenantId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.confirmQueue.push({ tenantId, eventIds, resolve, reject });
      if (!this.confirming) void this.drainConfirmations();
    });
  }

  private async drainConfirmations(): Promise<void> {
    this.confirming = true;
    try {
      while (this.confirmQueue.length) {
        const batch = this.confirmQueue.splice(0, this.confirmQueue.length);
        const tenants = batch.flatMap((c) => c.eventIds.map(() => c.tenantId));
        const ids = batch.flatMap((c) => c.eventIds);
        try {
          for (let i = 0; i < ids.length; i += MAX_ROWS_PER_STATEMENT) {
            await confirmIngestedEvents(this.db, tenants.slice(i, i + MAX_ROWS_PER_STATEMENT), ids.slice(i, i + MAX_ROWS_PER_STATEMENT));
          }
          for (const c of batch) c.resolve();
        } catch (e) {
          for (const c of batch) c.reject(e);
        }
      }
    } finally {
      this.confirming = false;
    }
  }

  /** Forgets claimed ids whose publication failed, so the client's retry is not taken for a duplicate. */
  async release(tenantId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await releaseIngestedEvents(this.db, tenantId, eventIds);
  }

  async acceptedAt(tenantId: string, eventId: string): Promise<Date | undefined> {
    // A pending claim is not an accepted event (yet).
    return ingestedEventAcceptedAt(this.db, tenantId, eventId);
  }

  /** Deletes expired rows in batches, so pruning never holds long locks. Returns the count. */
  prune(batchSize = 5000): Promise<number> {
    return pruneIngestedEvents(this.db, this.windowS, batchSize);
  }
}
