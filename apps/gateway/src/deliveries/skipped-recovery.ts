import { encodeDeliveryJobRecord } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import { recoverSkippedDeliveries } from '@hookstream/store';
import { Unavailable } from '../domain/errors.js';
import type { EventProducer } from '../ingest/event-producer.js';
import type { SkippedDeliveries } from '../webhooks/webhook-service.js';

/**
 * Re-enabling a buggy webhook queues what it skipped meanwhile (#17.4) on the `deliveries`
 * topic, as a manual retry does, marked `hookstream-replay: recovery`. The topic is keyed by
 * webhook, so the worker receives them in publication order.
 */
export class SkippedRecovery implements SkippedDeliveries {
  constructor(
    private readonly db: Knex,
    private readonly producer: EventProducer,
    private readonly deliveriesTopic: string,
  ) {}

  recover(tenantId: string, webhookId: string, since: Date, webhookRevision: number): Promise<number> {
    return recoverSkippedDeliveries(this.db, { tenantId, webhookId, since, webhookRevision }, async (jobs, queued) => {
      try {
        await this.producer.publish(
          this.deliveriesTopic,
          jobs.map((j) => encodeDeliveryJobRecord(j, { replay: 'recovery' })),
        );
      } catch {
        throw new Unavailable(
          `the webhook is re-enabled, but the event broker did not acknowledge its recovered deliveries: ${queued} were queued, ` +
            `the others are still skipped in its history (replay them with \`hookstream replay --webhook ${webhookId} --since ${since.toISOString()} --status skipped\`)`,
          1,
        );
      }
    });
  }
}
