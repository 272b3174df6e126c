/**
 * Kafka record headers of the `events` topic that are part of the contract between the
 * gateway and the matcher (the payload itself is the CloudEvent).
 */

/**
 * Value of the webhook change counter (decimal) when the gateway accepted the event: every
 * webhook change acknowledged before the event has a value <= this. The matcher matches the
 * event at once when its webhooks are at least that recent, and asks PostgreSQL otherwise.
 * Records without it (written by other producers) always get the check.
 */
export const WEBHOOKS_SEQ_HEADER = 'hookstream-webhooks-seq';

/** The header's value, or undefined when absent or not a non-negative integer. */
export function readWebhooksSeq(value: Buffer | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value.toString('latin1');
  if (!/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}
