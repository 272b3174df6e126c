import { hash } from 'node:crypto';

/** Namespace of delivery ids (a fixed random UUID: changing it would change every delivery id). */
export const DELIVERY_ID_NAMESPACE = '3f5c2b8e-9a41-4c7d-b6e2-1d0a7f95c3e4';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 name-based UUID, version 5 (SHA-1 of namespace bytes + name). */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID_PATTERN.test(namespace)) throw new TypeError(`namespace must be a UUID, got ${JSON.stringify(namespace)}`);
  return uuidV5Of(Buffer.from(namespace.replace(/-/g, ''), 'hex'), name);
}

// The matcher computes one delivery id per job: the namespace is parsed once, the name is written
// next to it in a reused buffer, and the one-shot hash returns hex that is formatted directly.
const DELIVERY_NAMESPACE_BYTES = Buffer.from(DELIVERY_ID_NAMESPACE.replace(/-/g, ''), 'hex');
const SCRATCH = Buffer.allocUnsafe(4096);
const VARIANT_DIGITS = '89ab';

function uuidV5Of(namespaceBytes: Buffer, name: string): string {
  let input: Buffer;
  // A UTF-16 code unit is at most 3 UTF-8 bytes: a name that may not fit gets its own buffer.
  if (namespaceBytes.length + name.length * 3 <= SCRATCH.length) {
    namespaceBytes.copy(SCRATCH, 0);
    input = SCRATCH.subarray(0, namespaceBytes.length + SCRATCH.write(name, namespaceBytes.length, 'utf8'));
  } else {
    input = Buffer.concat([namespaceBytes, Buffer.from(name, 'utf8')]);
  }
  const hex = hash('sha1', input, 'hex');
  // Version 5 in the high nibble of byte 6; RFC 4122 variant (10xx) in the high bits of byte 8.
  const variant = VARIANT_DIGITS[parseInt(hex[16]!, 16) & 0x3]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The id of the delivery of one event to one webhook. Deterministic, so a redelivered event or a
 * replayed matcher produces the same id and duplicates are recognisable downstream (and by the
 * partner, who receives it). Both ids are JSON-encoded together so no pair of ids can collide by
 * concatenation ("a:b" + "c" vs "a" + "b:c").
 */
export function deliveryId(eventId: string, webhookId: string): string {
  return uuidV5Of(DELIVERY_NAMESPACE_BYTES, JSON.stringify([eventId, webhookId]));
}
