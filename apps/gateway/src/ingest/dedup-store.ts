import { GroupCommit, type Knex } from '@hookstream/service-kit';
import { claimIngestedEvents, confirmIngestedEvents, ingestedEventAcceptedAt, pruneIngestedEvents, releaseIngestedEvents } from '@hookstream/store';

/** What a claim answers: the ids to publish, and the webhook change counter (migration 0006) when it was made. */
export interface Claim {
  fresh: Set<string>;
  /** Every webhook change acknowledged before the claim has a counter value <= this. */
  webhookSeq: number | undefined;
}

interface ClaimRequest {
  tenantId: string;
  eventIds: string[];
}

/** One item of the statement queue: ids to claim, or acknowledged ids to confirm. */
type Work = (ClaimRequest & { kind: 'claim' }) | (ClaimRequest & { kind: 'confirm' });

/** Rows per statement: bounded so one statement stays short. */
const MAX_ROWS_PER_STATEMENT = 5000;

const pairOf = (tenantId: string, eventId: string) => `${tenantId}\u0000${eventId}`;

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
 * Group commit: the claims of concurrent requests and the confirmations of earlier ones share
 * one statement (a multi-row INSERT ... ON CONFLICT ... RETURNING over unnest'ed arrays, with
 * the UPDATE of the confirmed rows beside it); while one statement runs, the next gathers
 * everything that arrives meanwhile. So under load each round trip to PostgreSQL serves many
 * requests, and a request never costs more than its claim and its share of a confirmation.
 *
 * A confirmation is not awaited by the request: from the moment the broker acknowledged, the
 * ids are held here as accepted (a retry reaching this process is a duplicate, and
 * GET /v1/events/{id} finds them) until the statement has made that true in PostgreSQL for
 * every gateway. A retry reaching another gateway within that window (about one round trip)
 * is published again with the same id, like a retry after a failed confirmation: at least once.
 */
export class DedupStore {
  private readonly statements: GroupCommit<Work, Claim | undefined>;
  /** Acknowledged by the broker, confirmation statement not done yet: pair -> when acknowledged. */
  private readonly acknowledged = new Map<string, Date>();

  constructor(
    private readonly db: Knex,
    private readonly windowS: number,
  ) {
    this.statements = new GroupCommit((batch) => this.runTogether(batch), {
      maxWeight: MAX_ROWS_PER_STATEMENT,
      weightOf: (w) => w.eventIds.length,
    });
  }

  async claim(tenantId: string, eventIds: string[]): Promise<Claim> {
    if (eventIds.length === 0) return { fresh: new Set(), webhookSeq: undefined };
    return (await this.statements.submit({ kind: 'claim', tenantId, eventIds }))!;
  }

  /**
   * The broker acknowledged these claimed ids: from now on a request with one of them is a
   * duplicate. Takes effect in this process at once; the returned promise settles when the
   * (shared) statement has recorded it in PostgreSQL. If that fails, the claims stay pending
   * and a retry of these ids publishes them again.
   */
  async confirm(tenantId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    const now = new Date();
    for (const id of eventIds) this.acknowledged.set(pairOf(tenantId, id), now);
    try {
      await this.statements.submit({ kind: 'confirm', tenantId, eventIds });
    } finally {
      for (const id of eventIds) {
        const pair = pairOf(tenantId, id);
        if (this.acknowledged.get(pair) === now) this.acknowledged.delete(pair);
      }
    }
  }

  /** One statement for a group: its claims and its confirmations (or the confirmations alone). */
  private async runTogether(batch: Work[]): Promise<(Claim | undefined)[]> {
    const confirms = batch.filter((w) => w.kind === 'confirm');
    const confirm = { tenants: confirms.flatMap((c) => c.eventIds.map(() => c.tenantId)), eventIds: confirms.flatMap((c) => c.eventIds) };
    // The same (tenant, id) twice in one statement is an error for ON CONFLICT DO UPDATE;
    // a later claimant of a pair already in this statement is answered "seen", and so is a
    // pair the broker acknowledged (its confirmation is in this statement or an earlier one).
    const pairs = new Set<string>();
    const tenants: string[] = [];
    const ids: string[] = [];
    const owner = new Map<string, number>();
    batch.forEach((work, index) => {
      if (work.kind !== 'claim') return;
      for (const id of work.eventIds) {
        const pair = pairOf(work.tenantId, id);
        if (pairs.has(pair) || this.acknowledged.has(pair)) continue;
        pairs.add(pair);
        owner.set(pair, index);
        tenants.push(work.tenantId);
        ids.push(id);
      }
    });
    const fresh = batch.map(() => new Set<string>());
    let webhookSeq: number | undefined;
    if (ids.length > 0) {
      // Without the counter row (never expected) the events go unstamped: the matcher then checks.
      const result = await claimIngestedEvents(this.db, tenants, ids, this.windowS, confirm);
      webhookSeq = result.webhookSeq;
      for (const r of result.claimed) {
        const index = owner.get(pairOf(r.tenant_id, r.event_id));
        if (index !== undefined) fresh[index]!.add(r.event_id);
      }
    } else if (confirm.eventIds.length > 0) {
      await confirmIngestedEvents(this.db, confirm.tenants, confirm.eventIds);
    }
    return batch.map((w, i) => (w.kind === 'claim' ? { fresh: fresh[i]!, webhookSeq } : undefined));
  }

  /** Resolves once every claim and confirmation made so far has its statement done (shutdown waits for it). */
  settled(): Promise<void> {
    return this.statements.settled();
  }

  /** Forgets claimed ids whose publication failed, so the client's retry is not taken for a duplicate. */
  async release(tenantId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await releaseIngestedEvents(this.db, tenantId, eventIds);
  }

  async acceptedAt(tenantId: string, eventId: string): Promise<Date | undefined> {
    // A pending claim is not an accepted event (yet); an acknowledged one is, confirmed or not.
    return this.acknowledged.get(pairOf(tenantId, eventId)) ?? ingestedEventAcceptedAt(this.db, tenantId, eventId);
  }

  /** Deletes expired rows in batches, so pruning never holds long locks. Returns the count. */
  prune(batchSize = 5000): Promise<number> {
    return pruneIngestedEvents(this.db, this.windowS, batchSize);
  }
}
