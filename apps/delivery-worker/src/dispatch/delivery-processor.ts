import { createDeadLetter, nextAttemptJob, traceOfJob, type AttemptRecord, type DeadLetter, type DeliveryJob } from '@hookstream/schemas';
import type { Logger } from '@hookstream/service-kit';
import { BUGGY_SKIP_REASON_PREFIX, deliveryRowOf, type WebhookRecord } from '@hookstream/store';
import { dbText, type AttemptRow, type DeliveryRow, type DeliveryStatus } from '../audit/rows.js';
import type { AttemptOutcome } from '../http/webhook-call.js';
import type { WorkerMetrics } from '../metrics.js';
import { canRetry, retryDelayMs } from '../retry/backoff.js';
import { isThrottleStatus, nextAttemptDelayMs, retryAfterMs } from '../retry/retry-after.js';
import { GONE } from '../steering/gone-disabler.js';
import { JobTransformer, TRANSFORM_ERROR } from '../transform/job-transformer.js';
import type { CallSlots } from './call-slots.js';
import { EndpointThrottle } from './endpoint-throttle.js';
import { OrderedKeys } from './ordered-keys.js';
import { WebhookLane, type LaneSettings } from './webhook-lane.js';
import type { AttemptSpanStarter, AttemptTrace } from '../tracing/attempt-spans.js';
import { traceFields } from '../tracing/log-fields.js';
import { callbackCeiling, payloadSize } from './webhook-tuning.js';

interface Pending {
  job: DeliveryJob;
  done: () => void;
  fail: (e: unknown) => void;
  /** The partition the job was read from (releases in-place waits when it moves). */
  owner: string;
  /** A FIFO job already at the head of its key: a failure is retried in place, not on a retry topic. */
  inPlace: boolean;
}

/** The webhooks as this process knows them (the webhook cache). */
export interface KnownWebhooks {
  get(id: string): WebhookRecord | undefined;
  /** Asks for a fresh copy of one webhook (the change feed may not have brought it yet). */
  refresh(id: string): Promise<unknown>;
}

/** Calls a webhook's endpoint once for a batch of its jobs. */
export interface EndpointCaller {
  call(webhook: WebhookRecord, jobs: DeliveryJob[]): Promise<AttemptOutcome>;
}

/** Where the history of each delivery and its attempts is written (durable once resolved). */
export interface AuditSink {
  write(rows: { delivery?: DeliveryRow; attempts?: AttemptRow[] }): Promise<void>;
}

/** Disables a webhook whose endpoint answered 410 Gone (store, change feed, `webhook_disabled`). */
export interface GoneEndpoints {
  gone(webhook: WebhookRecord): Promise<void>;
}

/** The Kafka side of an outcome: the next attempt, or the dead letter. */
export interface OutcomeRouter {
  schedule(job: DeliveryJob): Promise<unknown>;
  deadLetter(letter: DeadLetter): Promise<void>;
}

/** Counts a webhook's discarded deliveries towards marking it buggy; a success resets the count. */
export interface FailureCounter {
  discarded(webhook: WebhookRecord): Promise<void>;
  succeeded(webhook: WebhookRecord): Promise<void>;
}

export interface ProcessorDeps {
  cache: KnownWebhooks;
  /** Reads one webhook from PostgreSQL: used only when the cache does not know it (yet). */
  loadWebhook: (id: string) => Promise<WebhookRecord | undefined>;
  caller: EndpointCaller;
  audit: AuditSink;
  router: OutcomeRouter;
  buggy: FailureCounter;
  gone: GoneEndpoints;
  metrics: Pick<WorkerMetrics, 'attempts' | 'attemptDuration' | 'retriesScheduled' | 'skipped'>;
  logger: Pick<Logger, 'error' | 'warn'>;
  /** How long a batching webhook's call waits for its batch to fill. */
  batchWaitMs: number;
  /** The worker-wide bound on calls in flight. */
  slots: CallSlots;
  /**
   * Waits until `at` for a FIFO retry in place; rejects if `owner` (the job's partition) goes to
   * another worker, whose redelivery then takes over the key. Default: a plain timer.
   */
  waitUntil?: (at: number, owner: string) => Promise<void>;
  /** A span per attempt when tracing is on; absent, no tracing work at all. */
  spans?: AttemptSpanStarter;
}

/** Whether a job goes through its webhook's per-key in-order lane (`ordering: fifo`). */
export function isOrdered(job: DeliveryJob, webhook: WebhookRecord): boolean {
  return job.ordering_key !== undefined && webhook.spec.ordering === 'fifo';
}

/** Appended to the last error of a FIFO delivery dead-lettered after its last attempt. */
export const FIFO_MOVED_ON = 'dead-lettered; its ordering key moved on';

const waitFor = (at: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, at - Date.now())));

function statusClass(code: number | undefined): string {
  return code === undefined ? 'none' : `${Math.floor(code / 100)}xx`;
}

/**
 * Turns a job into its outcome: the call (through the webhook's lane), then the audit rows and
 * either nothing more (delivered), the next attempt on a retry topic, or the dead letter. The
 * promise of a job resolves only once all of that is durable.
 */
export class DeliveryProcessor {
  private readonly lanes = new Map<string, WebhookLane<Pending>>();
  /** Endpoints that answered "overloaded" and have not recovered to their lane's ceiling yet. */
  private readonly throttles = new Map<string, EndpointThrottle>();
  private readonly transformer = new JobTransformer();
  /** FIFO webhooks' ordering keys: one delivery at a time per (webhook, key). */
  private readonly ordered = new OrderedKeys();
  /** Webhooks being read from PostgreSQL, and the read their jobs wait for (see webhookRead). */
  private readonly reads = new Map<string, Promise<WebhookRecord | undefined>>();
  private stopping = false;

  constructor(private readonly deps: ProcessorDeps) {}

  /**
   * Resolves when the job is finished and recorded. `owner` is the partition the job was read
   * from; `inPlace` marks a FIFO job already at the head of its key (its turn, or its retry).
   */
  process(job: DeliveryJob, owner = '', inPlace = false): Promise<void> {
    const webhook = this.deps.cache.get(job.webhook_id);
    if (!webhook || webhook.revision < (job.webhook_revision ?? 0) || (this.reads.size > 0 && this.reads.has(job.webhook_id))) {
      return this.processUncached(job, owner, inPlace);
    }
    return this.dispatch(job, webhook, owner, inPlace);
  }

  private dispatch(job: DeliveryJob, webhook: WebhookRecord, owner: string, inPlace: boolean): Promise<void> {
    // A job never crosses tenants, whoever wrote it to the topic.
    if (webhook.tenantId !== job.tenant_id) {
      // Dead letter only: no history row under a tenant that does not own the webhook.
      return this.deps.router.deadLetter(createDeadLetter(job, 'tenant_mismatch'));
    }
    if (!inPlace && isOrdered(job, webhook)) {
      // Its turn comes when every earlier job of its key is delivered, dead-lettered or skipped;
      // the webhook is read again then (it may have been disabled or changed meanwhile).
      return this.ordered.run(`${job.webhook_id}\n${job.ordering_key}`, () => this.process(job, owner, true));
    }
    if (!webhook.enabled || webhook.buggy) return this.skip(job, webhook);
    // Retries go first: they already waited their back-off and have a due time to keep.
    return new Promise<void>((done, fail) => this.laneOf(webhook).submit({ job, done, fail, owner, inPlace }, job.attempt > 1));
  }

  /**
   * The cache follows the table within milliseconds, but a job can still arrive first (the
   * matcher saw a new or changed webhook before this worker did): ask the database before
   * calling the webhook deleted or calling an endpoint the partner has already replaced.
   */
  private async processUncached(job: DeliveryJob, owner: string, inPlace: boolean): Promise<void> {
    const loaded = await this.webhookRead(job.webhook_id);
    if (!loaded) return this.discardUnsendable(job, 'webhook_deleted', 'the webhook no longer exists');
    // A job that only waited its turn behind the read may know a newer copy from the cache.
    const cached = this.deps.cache.get(loaded.id);
    return this.dispatch(job, cached && cached.revision > loaded.revision ? cached : loaded, owner, inPlace);
  }

  /**
   * One read of a webhook at a time, shared by every job that needs it, and every later job of
   * that webhook waits for it too (see process): the jobs then go on in the order they came, as
   * their partition gave them. With a read per job, the pool ran them on several connections at
   * once and their answers came back in any order, so the jobs of a re-enabled webhook (whose
   * revision the cache had not caught up with) reached its lane shuffled.
   */
  private webhookRead(id: string): Promise<WebhookRecord | undefined> {
    let read = this.reads.get(id);
    if (!read) {
      read = this.deps
        .loadWebhook(id)
        .then((webhook) => {
          if (webhook) void this.deps.cache.refresh(webhook.id);
          return webhook;
        })
        .finally(() => this.reads.delete(id));
      this.reads.set(id, read);
    }
    return read;
  }

  /** Starts no more calls; jobs still queued stay unfinished, so Kafka redelivers them. */
  stopStarting(): void {
    this.stopping = true;
  }

  /** Jobs waiting in a webhook's queue or for their ordering key's turn, not yet being sent. */
  get queuedJobs(): number {
    let n = this.ordered.waiting;
    for (const lane of this.lanes.values()) n += lane.queued;
    return n;
  }

  /** The most calls at once the webhook's own settings allow (`callbacks_per_exec`, `max_in_flight`); a throttled endpoint gets less. */
  private ceilingOf(webhook: WebhookRecord): number {
    return callbackCeiling(webhook);
  }

  private laneSettings(webhook: WebhookRecord): LaneSettings {
    const ceiling = this.ceilingOf(webhook);
    return {
      maxInFlight: Math.min(ceiling, this.throttles.get(webhook.id)?.limit ?? ceiling),
      batchSize: payloadSize(webhook),
      batchWaitMs: this.deps.batchWaitMs,
      ...(webhook.spec.rate_limit_per_s ? { ratePerS: webhook.spec.rate_limit_per_s } : {}),
    };
  }

  private laneOf(webhook: WebhookRecord): WebhookLane<Pending> {
    const settings = this.laneSettings(webhook);
    let lane = this.lanes.get(webhook.id);
    if (!lane) {
      const id = webhook.id;
      const forget = () => {
        const idle = this.lanes.get(id);
        if (!idle?.idle) return;
        // Kept until its rate-limit bucket is full again, or the next job would get a fresh, full one.
        const rest = idle.restMs;
        if (rest > 0) setTimeout(forget, rest).unref();
        else this.lanes.delete(id);
      };
      lane = new WebhookLane<Pending>(
        settings,
        (items) => this.runCall(id, items),
        forget,
        () => !this.stopping,
        this.deps.slots,
      );
      this.lanes.set(id, lane);
    } else {
      lane.configure(settings);
    }
    return lane;
  }

  private async runCall(webhookId: string, all: Pending[]): Promise<void> {
    // The configuration may have changed while the jobs waited: use the current one, and
    // never one older than a job was matched against (the cache may not have caught up yet).
    let needed = 0;
    for (const i of all) needed = Math.max(needed, i.job.webhook_revision ?? 0);
    const cached = this.deps.cache.get(webhookId);
    const webhook = cached && cached.revision >= needed ? cached : await this.webhookRead(webhookId);
    if (!webhook || !webhook.enabled || webhook.buggy) {
      await Promise.all(all.map((i) => this.process(i.job, i.owner, i.inPlace).then(i.done, i.fail)));
      return;
    }
    let items: Pending[];
    let jobs: DeliveryJob[];
    if (webhook.spec.transform === undefined) {
      // No transform: the jobs as they are, without a promise and an object per job on the way.
      this.transformer.forget(webhook.id);
      items = all;
      jobs = all.map((i) => i.job);
    } else {
      ({ items, jobs } = await this.transformed(webhook, all));
    }
    if (items.length === 0) return;
    const traced = this.deps.spans?.start(webhook, jobs);
    // Tracing off: a plain call, no closure and no context switch on the hot path.
    if (!traced) return this.attempt(webhook, items, jobs, undefined);
    // The lines logged about this call and about recording its outcome carry its trace id.
    return traced.run(() => this.attempt(webhook, items, jobs, traced));
  }

  /**
   * Each job's body is transformed, then the call batches what the transforms produced; the
   * signature is computed over that body. The jobs kept for retries hold the rendered body, so
   * every attempt applies the webhook's current expression. A job whose transform fails is
   * discarded here and left out of the call.
   */
  private async transformed(webhook: WebhookRecord, all: Pending[]): Promise<{ items: Pending[]; jobs: DeliveryJob[] }> {
    const transformed = await this.transformer.apply(
      webhook,
      all.map((i) => i.job),
    );
    const items: Pending[] = [];
    const jobs: DeliveryJob[] = [];
    transformed.forEach((t, k) => {
      const item = all[k]!;
      if (t.ok) {
        items.push(item);
        jobs.push(t.job);
        return;
      }
      this.discardUnsendable(item.job, TRANSFORM_ERROR, `${TRANSFORM_ERROR}: ${t.error}`).then(item.done, (e: unknown) => {
        // Not marked done: the offset stays uncommitted and the job is redelivered after a restart.
        this.deps.logger.error({ err: e, delivery_id: item.job.delivery_id, ...traceFields(traceOfJob(item.job)) }, 'could not record a failed transform');
      });
    });
    return { items, jobs };
  }

  /** One call to the endpoint for `jobs` (the transformed jobs of `items`), then its outcome recorded. */
  private async attempt(webhook: WebhookRecord, items: Pending[], jobs: DeliveryJob[], traced: AttemptTrace | undefined): Promise<void> {
    const webhookId = webhook.id;
    let outcome: AttemptOutcome;
    try {
      outcome = await this.deps.caller.call(webhook, jobs);
    } catch (e) {
      this.deps.logger.error({ err: e, webhook_id: webhookId, ...traceFields(traceOfJob(jobs[0]!)) }, 'delivery call failed unexpectedly');
      outcome = {
        startedAt: new Date(),
        durationMs: 0,
        errorClass: 'internal',
        errorMessage: 'internal error while preparing the call',
        ok: false,
        outcome: 'network_error',
        retryable: true,
        reauthenticated: false,
      };
    }
    traced?.end(outcome);
    if (outcome.refusal) {
      // The tenant reads only that the endpoint resolves to a non-public address; the detail is for the operator.
      const { host, address, addressClass } = outcome.refusal;
      this.deps.logger.warn(
        { webhook_id: webhook.id, tenant_id: webhook.tenantId, host, address, address_class: addressClass, ...traceFields(traceOfJob(jobs[0]!)) },
        'endpoint refused: it resolves to a non-public address',
      );
    }
    if (outcome.statusCode === 410) {
      // Before this call's lane starts another: the next one must find the webhook disabled.
      await this.disableGone(webhook);
    }
    this.steer(webhook, outcome);
    const { metrics } = this.deps;
    metrics.attempts.inc({ outcome: outcome.outcome, status_class: statusClass(outcome.statusCode) }, jobs.length);
    metrics.attemptDuration.observe(outcome.durationMs / 1000);
    // The endpoint is free for the next call now; recording the outcome (batched audit, retry or
    // dead-letter write) finishes in the background and only then marks the jobs done.
    for (const i of items) {
      this.conclude(webhook, i, outcome).then(i.done, (e: unknown) => {
        // A FIFO retry in place whose partition moved: its new owner redelivers it.
        if ((e as Error | undefined)?.name === 'PartitionRevoked') return i.fail(e);
        // Not marked done: the offset stays uncommitted and the job is redelivered after a restart.
        this.deps.logger.error({ err: e, delivery_id: i.job.delivery_id, ...traceFields(traceOfJob(i.job)) }, 'could not record the outcome of a delivery');
      });
    }
    if (outcome.ok) void this.deps.buggy.succeeded(webhook).catch((e: unknown) => this.deps.logger.warn({ err: e }, 'could not reset the failure count'));
  }

  /** 429, 502, 503 and 504 halve the endpoint's concurrency; successes win it back step by step. */
  private steer(webhook: WebhookRecord, outcome: AttemptOutcome): void {
    const ceiling = this.ceilingOf(webhook);
    let throttle = this.throttles.get(webhook.id);
    if (isThrottleStatus(outcome.statusCode)) {
      if (!throttle) this.throttles.set(webhook.id, (throttle = new EndpointThrottle(ceiling)));
      throttle.throttled(ceiling);
    } else if (outcome.ok && throttle) {
      if (throttle.succeeded(ceiling)) this.throttles.delete(webhook.id);
    } else {
      return;
    }
    // Applies as this call's slot frees: the lane starts no more than the new limit.
    this.lanes.get(webhook.id)?.configure(this.laneSettings(webhook));
  }

  /** A webhook whose endpoint answered 410: disabled now (a brief database outage must not let calls go on). */
  private async disableGone(webhook: WebhookRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.gone.gone(webhook);
        return;
      } catch (e) {
        if (attempt >= 5) {
          this.deps.logger.error({ err: e, webhook_id: webhook.id }, 'could not disable a webhook whose endpoint answered 410');
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  private async conclude(webhook: WebhookRecord, pending: Pending, o: AttemptOutcome): Promise<void> {
    const { audit, router, metrics } = this.deps;
    const { job } = pending;
    const cycle = job.cycle ?? 0;
    const error = o.ok ? undefined : (o.errorMessage ?? `endpoint answered ${o.statusCode}`);
    const attemptRow: AttemptRow = {
      delivery_id: job.delivery_id,
      tenant_id: job.tenant_id,
      webhook_id: job.webhook_id,
      cycle,
      attempt: job.attempt,
      started_at: o.startedAt,
      duration_ms: o.durationMs,
      outcome: o.outcome,
      status_code: o.statusCode ?? null,
      error_class: o.ok ? null : (o.errorClass ?? `http_${o.statusCode}`),
      error_message: dbText(error),
      response_excerpt: dbText(o.body, 1024),
      retry_after_ms: null,
      request_headers: o.requestHeaders ?? null,
    };
    const row = (status: DeliveryStatus, extra?: Partial<DeliveryRow>): DeliveryRow => {
      // deliveryRowOf makes a new row: completed in place rather than spread into another.
      const delivery = deliveryRowOf(job, status);
      delivery.attempts = job.attempt;
      delivery.last_status_code = o.statusCode ?? null;
      delivery.last_error = dbText(error);
      return extra ? Object.assign(delivery, extra) : delivery;
    };
    if (o.ok) {
      await audit.write({ delivery: row('delivered', { finished_at: new Date() }), attempts: [attemptRow] });
      return;
    }
    // What the job's next attempt or dead letter carries of this one (a delivered job needs none).
    const record: AttemptRecord = {
      attempt: job.attempt,
      at: o.startedAt.toISOString(),
      duration_ms: o.durationMs,
      ...(o.statusCode !== undefined ? { status_code: o.statusCode } : {}),
      ...(error !== undefined ? { error: error.slice(0, 4096) } : {}),
    };
    if (o.statusCode === 410) {
      // The receiver retired the endpoint: no retry; the webhook is disabled (runCall), not counted towards buggy.
      await Promise.all([
        router.deadLetter(createDeadLetter(job, GONE, [...(job.previous_attempts ?? []), record])),
        audit.write({ delivery: row('discarded', { finished_at: new Date() }), attempts: [attemptRow] }),
      ]);
      return;
    }
    const now = Date.now();
    const asked = retryAfterMs(o.retryAfter, now);
    if (asked !== undefined) attemptRow.retry_after_ms = asked;
    if (o.retryable && canRetry(job.attempt, webhook.spec.retry_max_count)) {
      // Never before the receiver's Retry-After (at most 24 h), never sooner than the normal back-off.
      const dueAt = now + nextAttemptDelayMs(retryDelayMs(webhook.spec.retry_base, job.attempt), asked);
      if (pending.inPlace) {
        // FIFO: the key waits for this delivery, so it is retried here, not on a retry topic
        // (where later jobs of the key would overtake it); its offset stays uncommitted meanwhile.
        await audit.write({ delivery: row('retrying', { next_attempt_at: new Date(dueAt) }), attempts: [attemptRow] });
        metrics.retriesScheduled.inc();
        await (this.deps.waitUntil ?? waitFor)(dueAt, pending.owner);
        await this.process(nextAttemptJob(job, record, dueAt), pending.owner, true);
        return;
      }
      await Promise.all([
        router.schedule(nextAttemptJob(job, record, dueAt)),
        audit.write({ delivery: row('retrying', { next_attempt_at: new Date(dueAt) }), attempts: [attemptRow] }),
      ]);
      metrics.retriesScheduled.inc();
      return;
    }
    const reason = o.retryable ? 'retries_exhausted' : (o.errorClass ?? 'not_retryable');
    await Promise.all([
      router.deadLetter(createDeadLetter(job, reason, [...(job.previous_attempts ?? []), record])),
      audit.write({
        // FIFO: the history says the key did not wait any longer for this delivery.
        delivery: row('discarded', { finished_at: new Date(), ...(pending.inPlace ? { last_error: dbText(`${error}; ${FIFO_MOVED_ON}`) } : {}) }),
        attempts: [attemptRow],
      }),
    ]);
    await this.countDiscard(webhook);
  }

  /** The buggy count is shared state in PostgreSQL: a brief outage must not leave the job unfinished. */
  private async countDiscard(webhook: WebhookRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.buggy.discarded(webhook);
        return;
      } catch (e) {
        if (attempt >= 5) {
          this.deps.logger.error({ err: e, webhook_id: webhook.id }, 'could not count a discarded delivery towards the buggy threshold');
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  /** A job for a buggy or disabled webhook: recorded as skipped with its body, for replay. */
  private async skip(job: DeliveryJob, webhook: WebhookRecord): Promise<void> {
    if (!webhook.enabled && webhook.disabledReason === GONE) {
      // Pending deliveries of a retired endpoint (queued, or waiting on a retry tier) end with it.
      return this.discardUnsendable(job, GONE, 'the endpoint answered 410 Gone: the webhook was disabled');
    }
    this.deps.metrics.skipped.inc();
    const reason = webhook.buggy ? BUGGY_SKIP_REASON_PREFIX : 'webhook is disabled';
    await this.deps.audit.write({ delivery: { ...deliveryRowOf(job, 'skipped'), last_error: reason, finished_at: new Date() } });
  }

  /** A job that cannot be sent at all: dead-lettered without an attempt. */
  private async discardUnsendable(job: DeliveryJob, reason: string, message: string): Promise<void> {
    await Promise.all([
      this.deps.router.deadLetter(createDeadLetter(job, reason)),
      this.deps.audit.write({ delivery: { ...deliveryRowOf(job, 'discarded'), last_error: dbText(message), finished_at: new Date() } }),
    ]);
  }
}
