import type { Knex } from '@hookstream/service-kit';

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
      // The webhook change counter comes from the same snapshot, at no extra round trip: the
      // events carry it so the matcher knows how recent its webhooks must be for them.
      const { rows } = await this.db.raw<{ rows: { tenant_id: string; event_id: string; webhook_seq: string | null }[] }>(
        `WITH claimed AS (
           INSERT INTO ingested_events (tenant_id, event_id, accepted_at)
           SELECT t, e, '-infinity' FROM unnest(?::uuid[], ?::text[]) AS u(t, e)
           ON CONFLICT (tenant_id, event_id) DO UPDATE SET accepted_at = '-infinity'
             WHERE ingested_events.accepted_at < now() - make_interval(secs => ?)
           RETURNING tenant_id, event_id
         )
         SELECT claimed.tenant_id, claimed.event_id, s.value AS webhook_seq FROM claimed LEFT JOIN webhook_change_seq s ON true`,
        [tenants, ids, this.windowS],
      );
      // Without the counter row (never expected) the events go unstamped: the matcher then checks.
      const seqValue = rows[0]?.webhook_seq;
      const webhookSeq = seqValue === undefined || seqValue === null ? undefined : Number(seqValue);
      const fresh = new Map<PendingClaim, Set<string>>(batch.map((c) => [c, new Set<string>()]));
      for (const r of rows) {
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
            await this.db.raw(
              `UPDATE ingested_events SET accepted_at = now()
               FROM unnest(?::uuid[], ?::text[]) AS u(t, e)
               WHERE tenant_id = u.t AND event_id = u.e AND accepted_at = '-infinity'`,
              [tenants.slice(i, i + MAX_ROWS_PER_STATEMENT), ids.slice(i, i + MAX_ROWS_PER_STATEMENT)],
            );
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
    await this.db('ingested_events').where({ tenant_id: tenantId }).whereIn('event_id', eventIds).delete();
  }

  async acceptedAt(tenantId: string, eventId: string): Promise<Date | undefined> {
    // A pending claim is not an accepted event (yet).
    const row = await this.db('ingested_events').where({ tenant_id: tenantId, event_id: eventId }).where('accepted_at', '>', '-infinity').first('accepted_at');
    return row?.accepted_at as Date | undefined;
  }

  /** Deletes expired rows in batches, so pruning never holds long locks. Returns the count. */
  async prune(batchSize = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.db.raw<{ rowCount: number }>(
        `DELETE FROM ingested_events WHERE ctid IN (
           SELECT ctid FROM ingested_events WHERE accepted_at < now() - make_interval(secs => ?) LIMIT ?)`,
        [this.windowS, batchSize],
      );
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < batchSize) return total;
    }
  }
}
