/**
 * The varints of Kafka's record format, written straight into a buffer. Each function repeats
 * kafkajs 2.2.4's own arithmetic (src/protocol/encoder.js), 32-bit coercions included, so the
 * bytes are kafkajs' bytes; kafkajs builds a temporary array and a `Buffer.from` for every one.
 */

/** kafkajs' `Encoder.encodeZigZag`: the zigzag of a 32-bit varint. */
export const zigZag = (value: number): number => (value << 1) ^ (value >> 31);

/** Bytes of kafkajs' unsigned varint of `value`. */
export function uVarIntSize(value: number): number {
  let bytes = 1;
  while ((value & 0xffffff80) !== 0) {
    bytes += 1;
    value >>>= 7;
  }
  return bytes;
}

/** Writes kafkajs' unsigned varint of `value` at `at` (room checked by the caller); returns the offset after it. */
export function putUVarInt(buf: Uint8Array, at: number, value: number): number {
  while ((value & 0xffffff80) !== 0) {
    buf[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[at++] = value & 0x7f;
  return at;
}

/**
 * The largest magnitude of a 64-bit zigzag varint written in double arithmetic: below 2^51 the
 * zigzag value (2v, or -2v - 1) is an exact double. kafkajs' BigInt-backed Long covers the rest.
 */
export const MAX_DOUBLE_VARLONG = 2 ** 51;

/** Whether `value` is a number whose 64-bit varint {@link putVarLong} writes (other values: kafkajs' own code). */
export const isDoubleVarLong = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value <= MAX_DOUBLE_VARLONG && value >= -MAX_DOUBLE_VARLONG;

/** Bytes of kafkajs' `writeVarLong(value)` for a value {@link isDoubleVarLong} accepts. */
export function varLongSize(value: number): number {
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (z >= 128) {
    bytes += 1;
    z = Math.floor(z / 128);
  }
  return bytes;
}

/** Writes kafkajs' `writeVarLong(value)` (zigzag over 64 bits) for a value {@link isDoubleVarLong} accepts. */
export function putVarLong(buf: Uint8Array, at: number, value: number): number {
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  while (z >= 128) {
    buf[at++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}
