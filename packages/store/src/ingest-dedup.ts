import type { Knex } from '@hookstream/service-kit';
import { pooledQuery } from './pooled-query.js';

/*
 * `ingested_events`: the event ids each tenant published within the dedup window. A claim is
 * pending (`accepted_at = '-infinity'`) until the broker acknowledged the event; a pending
 * claim never makes a later request a duplicate (see the gateway's DedupStore).
 *
 * Claims and confirmations commit asynchronously (`synchronous_commit = off` for their own
 * transaction only): the commit returns before the WAL is flushed, which saves a disk flush
 * per statement on the ingest path (3-4 ms when the disk is busy) and lets PostgreSQL's WAL
 * writer flush many of them at once. What a PostgreSQL crash can cost is the last few hundred
 * milliseconds of these rows, never an event:
 * - a lost claim or a lost confirmation leaves no row, or a pending one; neither makes a later
 *   request a duplicate, so a client's retry of that id is published again (at least once: the
 *   copy carries the same id, which the matcher and workers already tolerate);
 * - a row can only be lost, never appear without its statement, so no retry is ever swallowed
 *   as "already accepted" for an event the broker did not acknowledge.
 * The events themselves are in Kafka (acks from all in-sync replicas) before the 202.
 * Other statements of the store keep synchronous commits: `set_config(..., true)` is local to
 * the statement's transaction.
 */

/** Makes the current transaction commit without waiting for the WAL flush (see above). */
const ASYNC_COMMIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

/**
 * Confirms pending claims `($1[i], $2[i])`. Written as an INSERT whose conflict arbiter is the
 * primary key, not as an UPDATE joined to the ids: an INSERT ... ON CONFLICT finds each row
 * through the arbiter index whatever the planner thinks of the table. The UPDATE's plan was the
 * planner's choice, and these statements are prepared: a generic plan made while the table was
 * small was kept for the connection's life, and in some runs it found the pending rows through
 * the `accepted_at` index with a bitmap scan. Without a vacuum (autovacuum off, or behind) that
 * index still holds the '-infinity' entry of every claim ever confirmed, and a bitmap scan
 * rechecks each of them in the heap: the statement grew with the rows claimed so far, to
 * 0.7-1.4 s per statement after 100,000 claims in the benchmark, and the gateway fell behind
 * by tens of seconds (issue 15). Here a confirmation costs the same at any table size.
 *
 * A pair with no row (pruned while pending: pending claims are older than any window) is
 * inserted as accepted: the broker did acknowledge it, so a retry is a duplicate. DISTINCT: one
 * INSERT may not touch a row twice, where the UPDATE took a repeated pair in its stride.
 */
const confirmPending = (source: string) => `INSERT INTO ingested_events AS seen (tenant_id, event_id, accepted_at)
       SELECT DISTINCT t, e, now() FROM ${source}
       ON CONFLICT (tenant_id, event_id) DO UPDATE SET accepted_at = now() WHERE seen.accepted_at = '-infinity'`;

/** The two prepared statements of the ingest path (exported for the plan test). */
export const DEDUP_STATEMENTS = {
  /** Confirms `($1, $2)`, claims `($3, $4)` with window `$5`, and reads the webhook change counter (see claimIngestedEvents). */
  claim: `WITH confirmed AS (
       ${confirmPending('unnest($1::uuid[], $2::text[]) AS c(t, e)')}
     ), claimed AS (
       INSERT INTO ingested_events (tenant_id, event_id, accepted_at)
       SELECT t, e, '-infinity' FROM unnest($3::uuid[], $4::text[]) AS u(t, e), ${ASYNC_COMMIT}
       ON CONFLICT (tenant_id, event_id) DO UPDATE SET accepted_at = '-infinity'
         WHERE ingested_events.accepted_at < now() - make_interval(secs => $5)
       RETURNING tenant_id, event_id
     )
     SELECT claimed.tenant_id, claimed.event_id, s.value AS webhook_seq FROM claimed LEFT JOIN webhook_change_seq s ON true`,
  /** Confirms `($1, $2)` alone. */
  confirm: confirmPending(`unnest($1::uuid[], $2::text[]) AS c(t, e), ${ASYNC_COMMIT}`),
} as const;

export interface ClaimedIds {
  /** The (tenant, id) pairs that were new or whose earlier sighting was older than the window. */
  claimed: { tenant_id: string; event_id: string }[];
  /** The webhook change counter (`webhook_change_seq`) in the claim's snapshot; undefined without the counter row. */
  webhookSeq: number | undefined;
}

/**
 * Claims pairs `(tenants[i], eventIds[i])` in one statement. A pair must appear once: the same
 * pair twice is an error for ON CONFLICT DO UPDATE. `confirm` pairs, pending claims the broker
 * acknowledged since, are confirmed by the same statement (one round trip for both); they must
 * not also be claimed.
 */
export async function claimIngestedEvents(
  db: Knex,
  tenants: string[],
  eventIds: string[],
  windowS: number,
  confirm: { tenants: string[]; eventIds: string[] } = { tenants: [], eventIds: [] },
): Promise<ClaimedIds> {
  // The webhook change counter comes from the same snapshot, at no extra round trip: the
  // events carry it so the matcher knows how recent its webhooks must be for them.
  // pg directly and prepared (see pooledQuery): at 8 concurrent publishers this runs for every request or two.
  const { rows } = await pooledQuery<{ tenant_id: string; event_id: string; webhook_seq: string | null }>(
    db,
    DEDUP_STATEMENTS.claim,
    [confirm.tenants, confirm.eventIds, tenants, eventIds, windowS],
    'hookstream_claim_ingested_events',
  );
  const seqValue = rows[0]?.webhook_seq;
  return {
    claimed: rows.map((r) => ({ tenant_id: r.tenant_id, event_id: r.event_id })),
    webhookSeq: seqValue === undefined || seqValue === null ? undefined : Number(seqValue),
  };
}

/** Marks pending claims `(tenants[i], eventIds[i])` as accepted now (a pair without a row is recorded as accepted). */
export async function confirmIngestedEvents(db: Knex, tenants: string[], eventIds: string[]): Promise<void> {
  await pooledQuery(db, DEDUP_STATEMENTS.confirm, [tenants, eventIds], 'hookstream_confirm_ingested_events');
}

/** Forgets a tenant's claims (pending or accepted) of these ids. */
export async function releaseIngestedEvents(db: Knex, tenantId: string, eventIds: string[]): Promise<void> {
  await db('ingested_events').where({ tenant_id: tenantId }).whereIn('event_id', eventIds).delete();
}

/** When the broker acknowledged the tenant's event, if it did within the kept window; a pending claim is not accepted (yet). */
export async function ingestedEventAcceptedAt(db: Knex, tenantId: string, eventId: string): Promise<Date | undefined> {
  const row = (await db('ingested_events').where({ tenant_id: tenantId, event_id: eventId }).where('accepted_at', '>', '-infinity').first('accepted_at')) as
    { accepted_at: Date } | undefined;
  return row?.accepted_at;
}

/** Deletes rows accepted longer than `windowS` ago, `batchSize` per statement so pruning never holds long locks. Returns the count. */
export async function pruneIngestedEvents(db: Knex, windowS: number, batchSize = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `DELETE FROM ingested_events WHERE ctid IN (
         SELECT ctid FROM ingested_events WHERE accepted_at < now() - make_interval(secs => ?) LIMIT ?)`,
      [windowS, batchSize],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return total;
  }
}

/**
 * The webhook change counter now (undefined without its row). An event stamped with it is matched
 * only once the matcher's cache has seen every webhook change up to it: a webhook created just
 * before is found (the test events of `POST /v1/webhooks/{id}/test-events`).
 */
export async function currentWebhookChangeSeq(db: Knex): Promise<number | undefined> {
  const row = (await db('webhook_change_seq').where({ id: 1 }).first('value')) as { value: string | number } | undefined;
  return row ? Number(row.value) : undefined;
}
