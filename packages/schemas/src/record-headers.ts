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
  // The matcher reads it for every event: a header's bytes are read as digits, not decoded first.
  if (typeof value !== 'string') return decimalOf(value);
  if (!/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/** `Number(text)` of bytes that are 1-15 ASCII digits (exact below 2^53), else undefined. */
function decimalOf(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || bytes.length > 15) return undefined;
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n;
}
