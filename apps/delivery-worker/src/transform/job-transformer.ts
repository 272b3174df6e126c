import type { DeliveryJob } from '@hookstream/schemas';
import { PayloadTransform, type CompiledTransform, type TransformInput } from '@hookstream/service-kit';
import type { WebhookRecord } from '@hookstream/store';

/** The dead letter's reason, and the prefix of the history's message, of a delivery its transform could not produce. */
export const TRANSFORM_ERROR = 'transform_error';

/** Per job of a call: the job with the body to send, or why the transform produced none. */
export type TransformedJob = { ok: true; job: DeliveryJob } | { ok: false; error: string };

/** Compiled expressions kept; beyond it the oldest webhook's is compiled again when next needed. */
const MAX_COMPILED = 10_000;

/** What a transform reads of a job: the event's id, type and envelope members, and the body otherwise sent. */
export function transformInputOf(job: DeliveryJob): TransformInput {
  const env = job.envelope;
  return {
    id: job.event_id,
    type: job.event_type,
    ...(env?.source !== undefined ? { source: env.source } : {}),
    ...(env?.subject !== undefined ? { subject: env.subject } : {}),
    ...(env?.time !== undefined ? { time: env.time } : {}),
    data: job.body,
  };
}

/**
 * Applies webhooks' `transform` to the jobs of a call. Expressions are compiled once per webhook
 * and expression (a new revision with the same text keeps its compilation). Each evaluation is
 * bounded (PayloadTransform); between evaluations the event loop gets a turn, so a batch of
 * expressions that all run to their time limit never holds the worker for the whole batch.
 */
export class JobTransformer {
  private readonly compiled = new Map<string, { text: string; result: CompiledTransform }>();

  private compiledFor(webhook: WebhookRecord, text: string): CompiledTransform {
    const known = this.compiled.get(webhook.id);
    if (known?.text === text) return known.result;
    const result = PayloadTransform.compile(text);
    this.compiled.delete(webhook.id);
    if (this.compiled.size >= MAX_COMPILED) this.compiled.delete(this.compiled.keys().next().value as string);
    this.compiled.set(webhook.id, { text, result });
    return result;
  }

  /** Drops the compiled expression of a webhook that has none (any more). */
  forget(webhookId: string): void {
    this.compiled.delete(webhookId);
  }

  /** The jobs as sent (the transformed body replaces the rendered one), in order; unchanged without a transform. */
  async apply(webhook: WebhookRecord, jobs: DeliveryJob[]): Promise<TransformedJob[]> {
    const text = webhook.spec.transform;
    if (text === undefined) {
      this.compiled.delete(webhook.id);
      return jobs.map((job) => ({ ok: true, job }));
    }
    const compiled = this.compiledFor(webhook, text);
    if (!compiled.ok) return jobs.map(() => ({ ok: false, error: `the transform ${compiled.message}` }));
    const out: TransformedJob[] = [];
    for (const job of jobs) {
      if (out.length > 0) await new Promise((r) => setImmediate(r));
      const r = await compiled.transform.evaluate(transformInputOf(job));
      out.push(r.ok ? { ok: true, job: { ...job, body: r.body } } : { ok: false, error: r.error });
    }
    return out;
  }
}
