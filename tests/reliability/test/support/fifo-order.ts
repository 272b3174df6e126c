import { startReceiver, waitFor, type AppProcess, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { event, newTenant, startReliabilitySystem, subscribe } from './system.js';

export interface FifoRun {
  events: number;
  subjects: number;
  /** SIGKILL the worker once this share of the FIFO deliveries has arrived, and start a new one. */
  killAt?: number;
}

export interface FifoOutcome {
  /** Per subject: deliveries (2xx) that arrived before an earlier event of the subject had arrived once. */
  overtakes: string[];
  /** Per subject: events never delivered. */
  missing: number;
  /** Events delivered under more than one `webhook-id`. */
  mixedIds: number;
  /** Deliveries of an event already delivered (allowed: at least once). */
  repeats: number;
  /** Deliveries of an event already delivered to the unordered webhook (for comparison). */
  plainRepeats: number;
  /** Attempts the receiver refused (first attempts, at random). */
  refused: number;
  plainDoneAt: number;
  fifoDoneAt: number;
  killed: boolean;
}

const TYPE = 'replied-message';
const eventIdOf = (body: unknown) => (body as { event_id?: string }).event_id;

/**
 * Issue 19.2, acceptance (b): events over several subjects to a FIFO webhook whose receiver
 * refuses 20 % of first attempts at random, and the same events to an unordered webhook of the
 * same tenant that always accepts. Publishes in batches through the gateway (the order of the
 * events topic is the publish order), then reads, per subject, the order in which deliveries
 * were accepted at the receiver.
 */
export async function runFifoScenario(run: FifoRun): Promise<FifoOutcome> {
  let system: TestSystem | undefined;
  let receiver: Receiver | undefined;
  try {
    const refusedFirst = new Set<string>();
    receiver = await startReceiver({
      respond: (req) => {
        if (req.path !== '/fifo' || !req.webhookId) return { status: 200 };
        // The first request of a delivery is refused at random; a repeat after a crash is not first.
        if (receiver!.byId(req.webhookId).length === 1 && Math.random() < 0.2) {
          refusedFirst.add(req.webhookId);
          return { status: 503 };
        }
        return { status: 200 };
      },
    });
    system = await startReliabilitySystem({ partitions: 3 });
    const tenant = await newTenant(system, 'fifo');
    // retry_base 1: a refused delivery is retried in place after 1 s (tokenWebhookSpec's setting).
    await subscribe(tenant, receiver, ['/fifo'], TYPE, { ordering: 'fifo' });
    await subscribe(tenant, receiver, ['/plain'], TYPE);

    const order = new Map<string, string[]>();
    const subjectOf = new Map<string, string>();
    const all: string[] = [];
    const batches: ReturnType<typeof event>[][] = [];
    for (let i = 0; i < run.events; i += 50) {
      const batch = Array.from({ length: Math.min(50, run.events - i) }, () => {
        const subject = `orders/${Math.floor(Math.random() * run.subjects)}`;
        const e = event(TYPE, tenant.id, { subject });
        order.set(subject, [...(order.get(subject) ?? []), e.id]);
        subjectOf.set(e.id, subject);
        all.push(e.id);
        return e;
      });
      batches.push(batch);
    }
    const ours = (path: string) => receiver!.at(path).filter((r) => r.status < 300 && subjectOf.has(eventIdOf(r.body) ?? ''));
    const delivered = (path: string) => new Set(ours(path).map((r) => eventIdOf(r.body))).size;

    const publishing = (async () => {
      // One batch after the other: within a batch, and from one batch to the next, the gateway keeps the order.
      for (const b of batches) await tenant.api.publishBatch(b);
    })();
    let killed = false;
    if (run.killAt !== undefined) {
      const victim: AppProcess = system.workers[0]!;
      const at = Math.floor(run.events * run.killAt);
      await waitFor(() => delivered('/fifo') >= at, { timeoutMs: 120_000, intervalMs: 50, what: `${at} FIFO deliveries before the kill` });
      expect(await victim.stop('SIGKILL')).toBe('SIGKILL');
      killed = true;
      await system.add('delivery-worker');
    }
    await publishing;
    await waitFor(() => delivered('/plain') === all.length && delivered('/fifo') === all.length, {
      timeoutMs: 300_000,
      intervalMs: 100,
      what: `every event at both webhooks (plain ${delivered('/plain')}, fifo ${delivered('/fifo')} of ${all.length})`,
    });

    const overtakes: string[] = [];
    const high = new Map<string, number>();
    const idsOf = new Map<string, Set<string>>();
    let repeats = 0;
    for (const r of ours('/fifo')) {
      const id = eventIdOf(r.body)!;
      const subject = subjectOf.get(id)!;
      const index = order.get(subject)!.indexOf(id);
      const top = high.get(subject) ?? -1;
      if (index > top + 1) overtakes.push(`${subject}: event #${index} arrived when #${top + 1} had not yet`);
      if (index <= top) repeats++;
      high.set(subject, Math.max(top, index));
      idsOf.set(id, (idsOf.get(id) ?? new Set()).add(r.webhookId ?? ''));
    }
    let missing = 0;
    for (const [subject, ids] of order) missing += ids.length - 1 - (high.get(subject) ?? -1);
    const lastAnswer = (path: string) => Math.max(...ours(path).map((r) => r.answeredAt ?? r.receivedAt));
    return {
      overtakes,
      missing,
      mixedIds: [...idsOf.values()].filter((s) => s.size > 1).length,
      repeats,
      plainRepeats: ours('/plain').length - all.length,
      refused: refusedFirst.size,
      plainDoneAt: lastAnswer('/plain'),
      fifoDoneAt: lastAnswer('/fifo'),
      killed,
    };
  } finally {
    await system?.stop();
    await receiver?.close();
  }
}
