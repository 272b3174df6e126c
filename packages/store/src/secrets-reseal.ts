import type { Knex, SecretBox } from '@hookstream/service-kit';
import { tenantContext, webhookContext } from './secrets.js';

/** A column holding sealed values, with what each row's value is bound to. */
interface SealedColumn {
  table: 'webhooks' | 'tenant_secrets';
  column: string;
  /** The primary key, in index order: batches walk it. */
  key: string[];
  context(row: Record<string, string>): string;
  /** How an operator finds the row; never its value. */
  describe(row: Record<string, string>): string;
}

/** Every place a secret is sealed at rest (see secrets.ts): add a column here when another is sealed. */
const SEALED_COLUMNS: SealedColumn[] = [
  {
    table: 'webhooks',
    column: 'secrets_enc',
    key: ['id'],
    context: (r) => webhookContext(r.id!),
    describe: (r) => `webhook ${r.id}`,
  },
  {
    table: 'tenant_secrets',
    column: 'value_enc',
    key: ['tenant_id', 'name'],
    context: (r) => tenantContext(r.tenant_id!, r.name!),
    describe: (r) => `tenant ${r.tenant_id} secret ${r.name}`,
  },
];

export interface ResealProgress {
  table: string;
  /** In the batch just committed. */
  resealed: number;
  failed: number;
}

export interface ResealCounts {
  table: string;
  resealed: number;
  /** Already under the sealing key when the run started (an earlier, interrupted run's work included). */
  alreadyCurrent: number;
  /** Could not be opened with the ring (a key id it does not hold, or a damaged value): left as they are. */
  failed: number;
}

export interface ResealOptions {
  batchSize?: number;
  /** Called after each batch committed; a throw stops the run there (what is committed stays). */
  onBatch?: (progress: ResealProgress) => void | Promise<void>;
  onFailure?: (failure: { table: string; row: string; reason: string }) => void;
  /** Checked between batches: the run stops after the batch in progress. */
  signal?: AbortSignal;
}

/**
 * Re-encrypts every sealed secret under the box's sealing key, each row with its own context.
 * Batches walk each table's primary key, each batch in its own transaction with its rows
 * locked, so an API write to the same row waits for the batch instead of being overwritten;
 * rows already under the sealing key are skipped, so a run that stopped anywhere is finished by
 * running it again. A resealed webhook keeps its revision and update time (its configuration did
 * not change); the row trigger still tells the caches, which read the new value.
 */
export async function resealSecrets(db: Knex, box: SecretBox, options: ResealOptions = {}): Promise<{ tables: ResealCounts[]; stopped: boolean }> {
  const batchSize = options.batchSize ?? 500;
  const prefix = box.sealedPrefix;
  const tables: ResealCounts[] = [];
  for (const sealed of SEALED_COLUMNS) {
    const counts: ResealCounts = { table: sealed.table, resealed: 0, alreadyCurrent: await countUnder(db, sealed, prefix), failed: 0 };
    tables.push(counts);
    let after: string[] | undefined;
    for (;;) {
      if (options.signal?.aborted) return { tables, stopped: true };
      const batch = await db.transaction(async (trx) => {
        const rows = await batchAfter(trx, sealed, prefix, after, batchSize);
        const progress: ResealProgress = { table: sealed.table, resealed: 0, failed: 0 };
        for (const row of rows) {
          let next: string;
          try {
            next = box.seal(box.open(row.sealed!, sealed.context(row)), sealed.context(row));
          } catch (e) {
            progress.failed++;
            options.onFailure?.({ table: sealed.table, row: sealed.describe(row), reason: e instanceof Error ? e.message : 'cannot be opened' });
            continue;
          }
          await replaceSealed(trx, sealed, row, next);
          progress.resealed++;
        }
        return { rows, progress };
      });
      counts.resealed += batch.progress.resealed;
      counts.failed += batch.progress.failed;
      if (batch.rows.length === 0) break;
      after = sealed.key.map((k) => batch.rows[batch.rows.length - 1]![k]!);
      await options.onBatch?.(batch.progress);
      if (batch.rows.length < batchSize) break;
    }
  }
  return { tables, stopped: false };
}

async function countUnder(db: Knex, s: SealedColumn, prefix: string): Promise<number> {
  const { rows } = await db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM ${s.table} WHERE starts_with(${s.column}, ?)`, [prefix]);
  return Number(rows[0]!.n);
}

async function batchAfter(trx: Knex.Transaction, s: SealedColumn, prefix: string, after: string[] | undefined, limit: number) {
  const keys = s.key.join(', ');
  const cursor = after ? `(${keys}) > (${after.map(() => '?').join(', ')}) AND` : '';
  const { rows } = await trx.raw<{ rows: Record<string, string>[] }>(
    `SELECT ${keys}, ${s.column} AS sealed FROM ${s.table}
      WHERE ${cursor} ${s.column} IS NOT NULL AND NOT starts_with(${s.column}, ?)
      ORDER BY ${keys} LIMIT ? FOR UPDATE`,
    [...(after ?? []), prefix, limit],
  );
  return rows;
}

async function replaceSealed(trx: Knex.Transaction, s: SealedColumn, row: Record<string, string>, next: string): Promise<void> {
  await trx(s.table)
    .where(Object.fromEntries(s.key.map((k) => [k, row[k]])))
    .update({ [s.column]: next });
}
