import { sleep } from './wait.js';

/** What a bounded publisher loop did. */
export interface LoadResult {
  /** Event ids the gateway answered 202 for (after the client retries, if any). */
  accepted: string[];
  /** Requests that failed (connection refused or reset, 5xx) and were retried. */
  retriedRequests: number;
  /** Events given up on after `maxAttempts` (never accepted: not counted as sent). */
  abandoned: string[];
  /** Publish time per accepted event id (ms since epoch, the first attempt's). */
  publishedAt: Map<string, number>;
  /** When the gateway answered each request that accepted events (ms since epoch, in order): shows when publishing stalled. */
  acceptedAt: number[];
}

export interface LoadOptions {
  /** Gateway base URL, read before every request (it can change when the gateway restarts). */
  baseUrl: () => string;
  apiKey: string;
  /** Builds the next batch of events. */
  nextBatch: (size: number) => Array<{ id: string } & Record<string, unknown>>;
  batchSize: number;
  /** Pause between batches. */
  intervalMs: number;
  /** Stops after this long, or earlier once `stopWhen` returns true. */
  durationMs: number;
  /** Checked before each batch: true ends the load (for a load that lasts as long as a fault does). */
  stopWhen?: () => boolean;
  /** Attempts per batch before giving up on it (as a client with a retry budget would). */
  maxAttempts?: number;
  /** Pause between attempts of a failed batch. */
  retryDelayMs?: number;
}

/**
 * A publisher that behaves like a careful client: it sends batches at a steady pace for a
 * bounded time and re-sends a batch whose request failed (same event ids, so the gateway's
 * dedup and the deterministic delivery ids keep a re-send from being a second event).
 * An event counts as accepted only once the gateway answered 202 or 207 with it accepted.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = { accepted: [], retriedRequests: 0, abandoned: [], publishedAt: new Map(), acceptedAt: [] };
  const until = Date.now() + opts.durationMs;
  const maxAttempts = opts.maxAttempts ?? 60;
  while (Date.now() < until && !opts.stopWhen?.()) {
    const batch = opts.nextBatch(opts.batchSize);
    const firstTry = Date.now();
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const accepted = await sendBatch(opts.baseUrl(), opts.apiKey, pending).catch(() => undefined);
      if (accepted) {
        if (accepted.size > 0) result.acceptedAt.push(Date.now());
        for (const id of accepted) {
          result.accepted.push(id);
          result.publishedAt.set(id, firstTry);
        }
        pending = pending.filter((e) => !accepted.has(e.id));
      }
      if (pending.length === 0) break;
      if (attempt >= maxAttempts) {
        result.abandoned.push(...pending.map((e) => e.id));
        break;
      }
      result.retriedRequests++;
      await sleep(opts.retryDelayMs ?? 250);
    }
    await sleep(opts.intervalMs);
  }
  return result;
}

/** The ids of a batch the gateway accepted (202: all of them; 207: those marked accepted). Throws on transport errors. */
async function sendBatch(baseUrl: string, apiKey: string, events: Array<{ id: string }>): Promise<Set<string> | undefined> {
  const res = await fetch(`${baseUrl}/v1/events/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status === 202) return new Set(events.map((e) => e.id));
  if (res.status === 207) {
    const body = JSON.parse(text) as { results?: Array<{ id?: string; status?: number | string; accepted?: boolean }> };
    const ok = new Set<string>();
    for (const r of body.results ?? []) {
      if (r.id && (r.accepted === true || r.status === 202 || r.status === 'accepted' || r.status === 'duplicate')) ok.add(r.id);
    }
    return ok;
  }
  return undefined;
}

/** p50 / p99 / max of a list of numbers (nearest rank). */
export function distribution(values: number[]): { count: number; p50: number; p99: number; max: number } {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { count: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1]! };
}
