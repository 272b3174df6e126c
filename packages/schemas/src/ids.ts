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
  return uuidV5OfHash(hash('sha1', input, 'hex'));
}

// The UUID's 36 characters are laid out in a reused buffer and read back as one flat string: a
// template of five slices made a string of about ten pieces per id, and ids are made per job.
const HEX_DIGITS = Buffer.allocUnsafe(40);
const UUID_TEXT = Buffer.from('xxxxxxxx-xxxx-5xxx-xxxx-xxxxxxxxxxxx', 'latin1');
// For each character of UUID_TEXT, the hex digit it takes, or -1 where it stays ('-', the version '5').
const DIGIT_AT = [...'xxxxxxxx-xxxx-5xxx-xxxx-xxxxxxxxxxxx'].map((c, i) => {
  if (c !== 'x') return -1;
  const before = 'xxxxxxxx-xxxx-5xxx-xxxx-xxxxxxxxxxxx'.slice(0, i).replace(/-/g, '').length;
  return before;
});
const VARIANT_BYTES = Buffer.from(VARIANT_DIGITS, 'latin1');

function uuidV5OfHash(hex: string): string {
  HEX_DIGITS.write(hex, 0, 40, 'latin1');
  for (let i = 0; i < 36; i++) {
    const digit = DIGIT_AT[i]!;
    if (digit >= 0) UUID_TEXT[i] = HEX_DIGITS[digit]!;
  }
  // Version 5 in the high nibble of byte 6 (fixed in UUID_TEXT); RFC 4122 variant (10xx) in the
  // high bits of byte 8.
  UUID_TEXT[19] = VARIANT_BYTES[parseInt(hex[16]!, 16) & 0x3]!;
  return UUID_TEXT.toString('latin1', 0, 36);
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

// Characters JSON.stringify writes as they are (no escape, one byte each in UTF-8).
const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `deliveryId(eventId, webhookId)` for the many webhooks of one event: the event's part of the
 * name (`["<event id>","`) is serialised once, and a webhook id of plain characters (a UUID
 * always is) is written as it is instead of through JSON.stringify. Same ids, byte for byte.
 */
export function deliveryIdsOf(eventId: string): (webhookId: string) => string {
  const head = `[${JSON.stringify(eventId)},"`;
  const at = DELIVERY_NAMESPACE_BYTES.length;
  return (webhookId) => {
    if (at + (head.length + webhookId.length) * 3 + 2 > SCRATCH.length || !PLAIN_JSON.test(webhookId)) return deliveryId(eventId, webhookId);
    SCRATCH.set(DELIVERY_NAMESPACE_BYTES, 0);
    let end = at + SCRATCH.write(head, at, 'utf8');
    end += SCRATCH.write(webhookId, end, 'latin1');
    SCRATCH[end++] = 0x22; // "
    SCRATCH[end++] = 0x5d; // ]
    return uuidV5OfHash(hash('sha1', SCRATCH.subarray(0, end), 'hex'));
  };
}
