import type { Knex, Logger } from '@hookstream/service-kit';
import { insertAttempts, isNewerOrSame, isRejectedRowError, upsertDeliveries, writeAuditBatch } from '@hookstream/store';
import type { WorkerMetrics } from '../metrics.js';
import type { AttemptRow, DeliveryRow } from './rows.js';

interface Waiter {
  resolve(): void;
}

/**
 * Buffers audit rows and writes them in batches: one multi-row statement per table every
 * flush interval (or sooner when enough rows wait). `write` resolves once the rows are
 * committed, which is when the caller may let Kafka forget the job. A failed flush is retried
 * until it succeeds, so a database outage pauses progress instead of losing history.
 */
export class AuditWriter {
  private deliveries = new Map<string, DeliveryRow>();
  private attempts: AttemptRow[] = [];
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly intervalMs: number,
    private readonly maxRows: number,
  ) {}

  write(rows: { delivery?: DeliveryRow; attempts?: AttemptRow[] }): Promise<void> {
    if (rows.delivery) {
      const prev = this.deliveries.get(rows.delivery.id);
      if (!prev || isNewerOrSame(rows.delivery, prev)) this.deliveries.set(rows.delivery.id, rows.delivery);
    }
    if (rows.attempts) this.attempts.push(...rows.attempts);
    const p = new Promise<void>((resolve) => this.waiters.push({ resolve }));
    if (this.deliveries.size + this.attempts.length >= this.maxRows) this.flushInBackground();
    else this.timer ??= setTimeout(() => this.flushInBackground(), this.intervalMs);
    return p;
  }

  /** Writes everything buffered so far (waits for a flush already running first). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.waiters.length === 0) return;
    const deliveries = [...this.deliveries.values()];
    const attempts = this.attempts;
    const waiters = this.waiters;
    this.deliveries = new Map();
    this.attempts = [];
    this.waiters = [];
    this.flushing = this.persist(deliveries, attempts).finally(() => (this.flushing = undefined));
    await this.flushing;
    for (const w of waiters) w.resolve();
    // Rows that arrived while this batch was written go out on their own timer.
    if (this.waiters.length > 0 && !this.timer) this.timer = setTimeout(() => this.flushInBackground(), this.intervalMs);
  }

  private flushInBackground(): void {
    this.flush().catch((e: unknown) => this.logger.error({ err: e }, 'audit flush abandoned'));
  }

  private async persist(deliveries: DeliveryRow[], attempts: AttemptRow[]): Promise<void> {
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      try {
        await writeAuditBatch(this.db, deliveries, attempts);
        this.metrics.auditFlushes.inc({ outcome: 'ok' });
        return;
      } catch (e) {
        this.metrics.auditFlushes.inc({ outcome: 'failed' });
        if (isRejectedRowError(e)) {
          // One bad row must not block every other: write them one by one and drop what PostgreSQL rejects.
          await this.persistOneByOne(deliveries, attempts);
          return;
        }
        this.logger.error({ err: e, deliveries: deliveries.length, attempts: attempts.length }, 'audit write failed; retrying');
        if (this.stopped) throw e;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async persistOneByOne(deliveries: DeliveryRow[], attempts: AttemptRow[]): Promise<void> {
    for (const d of deliveries) {
      await upsertDeliveries(this.db, [d]).catch((e: unknown) => {
        if (!isRejectedRowError(e)) throw e;
        this.logger.error({ err: e, delivery_id: d.id }, 'delivery row rejected by PostgreSQL; dropped');
      });
    }
    for (const a of attempts) {
      await insertAttempts(this.db, [a]).catch((e: unknown) => {
        if (!isRejectedRowError(e)) throw e;
        this.logger.error({ err: e, delivery_id: a.delivery_id }, 'attempt row rejected by PostgreSQL; dropped');
      });
    }
  }

  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }
}
