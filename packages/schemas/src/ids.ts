import { createHash } from 'node:crypto';

/** Namespace of delivery ids (a fixed random UUID: changing it would change every delivery id). */
export const DELIVERY_ID_NAMESPACE = '3f5c2b8e-9a41-4c7d-b6e2-1d0a7f95c3e4';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 name-based UUID, version 5 (SHA-1 of namespace bytes + name). */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID_PATTERN.test(namespace)) throw new TypeError(`namespace must be a UUID, got ${JSON.stringify(namespace)}`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the delivery of one event to one webhook. Deterministic, so a redelivered event or a
 * replayed matcher produces the same id and duplicates are recognisable downstream (and by the
 * partner, who receives it). Both ids are JSON-encoded together so no pair of ids can collide by
 * concatenation ("a:b" + "c" vs "a" + "b:c").
 */
export function deliveryId(eventId: string, webhookId: string): string {
  return uuidV5(DELIVERY_ID_NAMESPACE, JSON.stringify([eventId, webhookId]));
}
