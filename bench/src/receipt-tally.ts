import type { Receiver } from '@hookstream/test-kit';
import { sleep } from './stats.js';

/**
 * Receipts on one path, taken out of the receiver's log as they come. A long phase (10 minutes
 * at 300 events/s is 180 000 requests) would otherwise keep every request's headers and bodies
 * in the bench process, whose garbage collections would then weigh on its own CPU figure and
 * on the latencies it times. While a tally collects, it owns the receiver: requests on other
 * paths are dropped too.
 */
export class ReceiptTally {
  /** First 2xx receipt time per delivered `event_id`. */
  readonly firstReceipt = new Map<string, number>();
  private readonly webhookIds = new Set<string>();
  private answered2xx = 0;

  constructor(
    private readonly receiver: Receiver,
    private readonly path: string,
  ) {}

  /** Receipts beyond the first per `webhook-id`. */
  get duplicated(): number {
    return this.answered2xx - this.webhookIds.size;
  }

  /** Moves every answered request out of the receiver's log (one still being answered stays for the next call). */
  collect(): void {
    const log = this.receiver.requests;
    const pending = [];
    for (const r of log) {
      if (r.answeredAt === undefined) {
        pending.push(r);
        continue;
      }
      if (r.path !== this.path || r.status >= 300) continue;
      this.answered2xx++;
      if (r.webhookId) this.webhookIds.add(r.webhookId);
      const id = (r.body as { event_id?: string }).event_id;
      if (id && !this.firstReceipt.has(id)) this.firstReceipt.set(id, r.receivedAt);
    }
    log.splice(0, log.length, ...pending);
  }

  /** How many of `ids` were received so far. */
  receivedOf(ids: Iterable<string>): number {
    let n = 0;
    for (const id of ids) if (this.firstReceipt.has(id)) n++;
    return n;
  }

  /** Collects until every id in `ids` arrived, nothing arrived for `quietMs`, or `timeoutMs` passed. */
  async drain(ids: Map<string, unknown>, timeoutMs = 60_000, quietMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let since = Date.now();
    while (Date.now() < deadline) {
      this.collect();
      const got = this.receivedOf(ids.keys());
      if (got >= ids.size) return;
      if (got !== last) {
        last = got;
        since = Date.now();
      } else if (Date.now() - since > quietMs) {
        return; // nothing moves any more
      }
      await sleep(100);
    }
  }
}
