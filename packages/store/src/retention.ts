import type { Knex } from '@hookstream/service-kit';

export interface RetentionOptions {
  /** Rows older than this are removed. */
  olderThan: Date;
  /** Rows per DELETE statement: small enough that each holds its locks for milliseconds. */
  batchSize?: number;
  /** Pause between batches so writers and autovacuum keep up. */
  pauseMs?: number;
  /** Stop after this long; the next run continues. */
  maxMs?: number;
}

export interface RetentionResult {
  table: string;
  deleted: number;
  batches: number;
  ms: number;
}

const TABLES: { table: string; key: string; time: string }[] = [
  { table: 'delivery_attempts', key: 'id', time: 'started_at' },
  { table: 'deliveries', key: 'id', time: 'created_at' },
  { table: 'events', key: 'ctid', time: 'received_at' },
];

/**
 * Deletes expired audit rows in small batches, each its own short transaction on an
 * indexed time column, so concurrent inserts and updates are never blocked for long.
 * An advisory lock keeps several processes from pruning the same rows at once.
 */
export async function pruneExpired(db: Knex, opts: RetentionOptions): Promise<RetentionResult[]> {
  const batchSize = opts.batchSize ?? 5000;
  const deadline = Date.now() + (opts.maxMs ?? 10 * 60_000);
  const lockId = 0x686b7374; // "hkst"
  // A session-level lock on a dedicated connection (not a transaction, which would
  // hold back vacuum for the whole run).
  const conn = (await db.client.acquireConnection()) as { query(sql: string, args: unknown[]): Promise<{ rows: { locked: boolean }[] }> };
  try {
    const { rows } = await conn.query('SELECT pg_try_advisory_lock($1) AS locked', [lockId]);
    if (!rows[0]?.locked) return [];
    try {
      const results: RetentionResult[] = [];
      for (const t of TABLES) {
        const t0 = Date.now();
        let deleted = 0;
        let batches = 0;
        while (Date.now() < deadline) {
          const r = await db.raw(`DELETE FROM ${t.table} WHERE ${t.key} IN (SELECT ${t.key} FROM ${t.table} WHERE ${t.time} < ? LIMIT ?)`, [
            opts.olderThan,
            batchSize,
          ]);
          const n = (r as { rowCount: number }).rowCount;
          deleted += n;
          batches++;
          if (n < batchSize) break;
          if (opts.pauseMs) await new Promise((res) => setTimeout(res, opts.pauseMs));
        }
        results.push({ table: t.table, deleted, batches, ms: Date.now() - t0 });
      }
      return results;
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1) AS locked', [lockId]);
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}
