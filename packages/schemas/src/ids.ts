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

// The UUID is made by one String.fromCharCode of its 36 code units, read from the digest's flat
// one-byte hex string: one flat string per id, no buffer written and read back through a C++ call
// (Buffer#toString), and no template of slices (a string of about ten pieces per id).
const VARIANT_CODES = [...VARIANT_DIGITS].map((c) => c.charCodeAt(0));
const DASH = 0x2d;
const VERSION_5 = 0x35;

function uuidV5OfHash(h: string): string {
  // RFC 4122 variant (10xx) in the high bits of byte 8: its digit's low two bits are kept.
  const v = h.charCodeAt(16); // a lower-case hex digit
  return String.fromCharCode(
    h.charCodeAt(0),
    h.charCodeAt(1),
    h.charCodeAt(2),
    h.charCodeAt(3),
    h.charCodeAt(4),
    h.charCodeAt(5),
    h.charCodeAt(6),
    h.charCodeAt(7),
    DASH,
    h.charCodeAt(8),
    h.charCodeAt(9),
    h.charCodeAt(10),
    h.charCodeAt(11),
    // Version 5 in the high nibble of byte 6.
    DASH,
    VERSION_5,
    h.charCodeAt(13),
    h.charCodeAt(14),
    h.charCodeAt(15),
    DASH,
    VARIANT_CODES[(v <= 0x39 ? v - 0x30 : v - 0x57) & 0x3]!,
    h.charCodeAt(17),
    h.charCodeAt(18),
    h.charCodeAt(19),
    DASH,
    h.charCodeAt(20),
    h.charCodeAt(21),
    h.charCodeAt(22),
    h.charCodeAt(23),
    h.charCodeAt(24),
    h.charCodeAt(25),
    h.charCodeAt(26),
    h.charCodeAt(27),
    h.charCodeAt(28),
    h.charCodeAt(29),
    h.charCodeAt(30),
    h.charCodeAt(31),
  );
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

// deliveryIdsOf's own buffer: the namespace and one event's part of the name stay in it from one
// id of the event to the next; `eventNameOwner` says which event's closure wrote them last (the
// one-off path above and other events' closures use SCRATCH or rewrite the part).
const EVENT_SCRATCH = Buffer.allocUnsafe(4096);
let eventNameOwner: unknown;
// Views of EVENT_SCRATCH by length, made once each: a view per id was an object per job.
const EVENT_NAME_VIEWS: Buffer[] = [];
const eventNameView = (end: number): Buffer => (EVENT_NAME_VIEWS[end] ??= EVENT_SCRATCH.subarray(0, end));

/**
 * `deliveryId(eventId, webhookId)` for the many webhooks of one event: the event's part of the
 * name (`["<event id>","`) is serialised and written once, and a webhook id of plain characters
 * (a UUID always is) is written as it is instead of through JSON.stringify. Same ids, byte for byte.
 */
export function deliveryIdsOf(eventId: string): (webhookId: string, nameTail?: Uint8Array) => string {
  const head = `[${PLAIN_JSON.test(eventId) ? `"${eventId}"` : JSON.stringify(eventId)},"`;
  const at = DELIVERY_NAMESPACE_BYTES.length;
  // A UTF-16 code unit is at most 3 UTF-8 bytes; the webhook id is plain ASCII, one byte each.
  const room = EVENT_SCRATCH.length - at - head.length * 3 - 2;
  let headEnd = 0;
  const idOf = (webhookId: string, nameTail?: Uint8Array): string => {
    if (nameTail === undefined ? webhookId.length > room || !PLAIN_JSON.test(webhookId) : nameTail.length > room + 2) return deliveryId(eventId, webhookId);
    if (eventNameOwner !== idOf) {
      EVENT_SCRATCH.set(DELIVERY_NAMESPACE_BYTES, 0);
      headEnd = at + EVENT_SCRATCH.write(head, at, 'utf8');
      eventNameOwner = idOf;
    }
    let end: number;
    if (nameTail !== undefined) {
      // Copied, not checked and written again: made once per webhook by deliveryNameTail.
      EVENT_SCRATCH.set(nameTail, headEnd);
      end = headEnd + nameTail.length;
    } else {
      end = headEnd + EVENT_SCRATCH.write(webhookId, headEnd, 'latin1');
      EVENT_SCRATCH[end++] = 0x22; // "
      EVENT_SCRATCH[end++] = 0x5d; // ]
    }
    return uuidV5OfHash(hash('sha1', eventNameView(end), 'hex'));
  };
  return idOf;
}

/**
 * A webhook id's end of a delivery id's name (`<id>"]`, one byte per character), made once per
 * webhook and handed to the function of {@link deliveryIdsOf} with that id: it is copied instead of
 * the id being checked and written per job. Undefined for an id that is not plain (it takes the
 * general path).
 */
export function deliveryNameTail(webhookId: string): Uint8Array | undefined {
  return PLAIN_JSON.test(webhookId) ? Buffer.from(`${webhookId}"]`, 'latin1') : undefined;
}
