import { encodeEventRecord, type CloudEvent, type TraceCarrier } from '@hookstream/schemas';
import type { Message } from 'kafkajs';
import { Unavailable } from '../domain/errors.js';
import type { GatewayMetrics } from '../http/metrics.js';
import type { Claim } from './dedup-store.js';
import type { Intake } from './event-intake.js';

/** What the service needs of the dedup store (DedupStore in production). */
export interface EventClaims {
  /** Claims the ids not seen within the window: `fresh` are the ones to publish. */
  claim(tenantId: string, eventIds: string[]): Promise<Claim>;
  /**
   * The broker acknowledged: the claims become accepted events, at once for later claims;
   * the promise settles when that is recorded for good (the service does not wait for it).
   */
  confirm(tenantId: string, eventIds: string[]): Promise<void>;
  /** The broker did not acknowledge: the claims are dropped so a retry is not a duplicate. */
  release(tenantId: string, eventIds: string[]): Promise<void>;
}

/** What the service needs of the producer (EventProducer): resolves once the broker acknowledged. */
export interface EventSender {
  publish(topic: string, messages: Message[]): Promise<void>;
}

/** The trace of one produce: the context each record carries (same order as the events), and its end. */
export interface ProduceTrace {
  carriers: readonly (TraceCarrier | undefined)[];
  end(error?: string): void;
}

/** Opens the spans of a produce (OtelIngestTracer); absent when tracing is off. */
export interface IngestTracer {
  begin(events: readonly CloudEvent[]): ProduceTrace;
}

export type IngestMetrics = Pick<GatewayMetrics, 'rejected' | 'accepted' | 'duplicates' | 'ingestStep'>;

/** The two log levels the service writes (a pino logger in production). */
export interface IngestLog {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export type ItemResult =
  | { index: number; id: string; status: 'accepted'; duplicate: boolean }
  | { index: number; id?: string; status: 'rejected'; code: number; error: string; details?: unknown[] };

/**
 * Publishes checked events of one tenant: one dedup claim for the whole request, then one
 * producer send for the new ones, then the claims are confirmed (without waiting for the
 * statement). Claims, sends and confirmations of concurrent requests are grouped by the
 * DedupStore and the Publisher. If the broker does not acknowledge, the claimed ids
 * are released (so the client's retry is not swallowed as a duplicate) and the request
 * fails with 503 as a whole.
 */
export class IngestService {
  constructor(
    private readonly dedup: EventClaims,
    private readonly producer: EventSender,
    private readonly eventsTopic: string,
    private readonly metrics: IngestMetrics,
    private readonly logger: IngestLog,
    private readonly tracer?: IngestTracer,
  ) {}

  async publish(tenantId: string, intakes: Intake[]): Promise<ItemResult[]> {
    const results: ItemResult[] = new Array(intakes.length);
    // Within one request a repeated id is the same event: the first occurrence decides.
    const firstIndexOf = new Map<string, number>();
    intakes.forEach((intake, index) => {
      if (!intake.ok) {
        this.metrics.rejected.inc({ reason: intake.reason });
        results[index] = {
          index,
          ...(intake.id !== undefined ? { id: intake.id } : {}),
          status: 'rejected',
          code: intake.status,
          error: intake.error,
          ...(intake.details ? { details: intake.details } : {}),
        };
      } else if (!firstIndexOf.has(intake.event.id)) firstIndexOf.set(intake.event.id, index);
    });
    const ids = [...firstIndexOf.keys()];
    const claimed = this.metrics.ingestStep.startTimer({ step: 'claim' });
    const { fresh, webhookSeq } = await this.dedup.claim(tenantId, ids);
    claimed();
    const toSend = ids.filter((id) => fresh.has(id)).map((id) => intakes[firstIndexOf.get(id)!] as Extract<Intake, { ok: true }>);
    if (toSend.length) {
      const produced = this.metrics.ingestStep.startTimer({ step: 'produce' });
      const traced = this.tracer?.begin(toSend.map((i) => i.event));
      try {
        await this.producer.publish(
          this.eventsTopic,
          toSend.map((i, k) => {
            const trace = traced?.carriers[k];
            // Intake validated each event, data included (validateEvent): the mark spares the matcher doing it again.
            return encodeEventRecord(i.event, {
              validated: true,
              ...(webhookSeq !== undefined ? { webhooksSeq: webhookSeq } : {}),
              ...(trace ? { trace } : {}),
            });
          }),
        );
        traced?.end();
      } catch (e) {
        traced?.end((e as Error).message);
        this.logger.error({ err: (e as Error).message, events: toSend.length }, 'broker did not acknowledge events; releasing their dedup claims');
        await this.dedup
          .release(
            tenantId,
            toSend.map((i) => i.event.id),
          )
          .catch((err: Error) => this.logger.error({ err: err.message }, 'could not release dedup claims'));
        throw new Unavailable('the event broker did not acknowledge the events; nothing was accepted, retry the request', 1);
      }
      produced();
      for (const i of toSend) this.metrics.accepted.inc({ type: i.type });
      // The events are safe in Kafka: the 202 does not wait for the confirmation statement.
      // The claims count as accepted at once (DedupStore.confirm), so what the client was told
      // is accepted is readable (GET /v1/events/{id}) and a retry is a duplicate. If the
      // statement fails, the answer stays 202 and a retry republishes (same id).
      const confirmed = this.metrics.ingestStep.startTimer({ step: 'confirm' });
      this.dedup
        .confirm(
          tenantId,
          toSend.map((i) => i.event.id),
        )
        .then(
          () => confirmed(),
          (err: Error) => this.logger.warn({ err: err.message }, 'could not confirm dedup claims; a retry of these ids will publish them again'),
        );
    }
    intakes.forEach((intake, index) => {
      if (!intake.ok) return;
      const id = intake.event.id;
      const first = firstIndexOf.get(id) === index;
      const duplicate = !(first && fresh.has(id));
      if (duplicate) this.metrics.duplicates.inc();
      results[index] = { index, id, status: 'accepted', duplicate };
    });
    return results;
  }
}
