import { crc32c } from './crc32c.js';
import { isDoubleVarLong, putUVarInt, putVarLong, uVarIntSize, zigZag } from './kafka-varint.js';

/**
 * kafkajs' 64-bit integer (its src/utils/long.js), injected so that 64-bit fields are converted
 * exactly as kafkajs' own `Encoder.writeInt64` converts them (numbers, decimal strings, Longs).
 */
export interface KafkajsLong {
  fromValue(value: unknown): { getHighBits(): number; getLowBits(): number };
}

/** A message as kafkajs hands it to the Produce request (the producer's `Message`). */
export interface ProduceMessage {
  key?: unknown;
  value?: unknown;
  headers?: unknown;
  timestamp?: unknown;
}

export interface ProducePartitionData {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}

export interface ProduceTopicData {
  topic: string;
  partitions: ProducePartitionData[];
}

/** The arguments of kafkajs' Produce request v3-v7 (`requests/produce/v3/request.js`). */
export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: ProduceTopicData[];
}

/**
 * Input this writer leaves to kafkajs' own encoding: compression, and anything kafkajs would
 * refuse or encode inconsistently (a header value that is neither string nor Buffer, a
 * fractional timestamp). kafkajs then gives its own answer, error included.
 */
export class NotLeanEncodable extends Error {
  constructor(what: string) {
    super(`left to kafkajs' own encoding: ${what}`);
    this.name = 'NotLeanEncodable';
  }
}

const MAGIC_BYTE = 2;
const TRANSACTIONAL_ATTRIBUTE = 16;
const NO_COMPRESSION = 0;
/** The scratch buffer's start, and the most it keeps between requests (a large request frees what it grew). */
const INITIAL_BYTES = 64 * 1024;
const MAX_KEPT_BYTES = 2 * 1024 * 1024;

/**
 * Writes the payload of a kafkajs Produce request (v3-v7, no compression) byte for byte as
 * kafkajs 2.2.4 writes it, into one growing buffer: kafkajs builds an Encoder (a 512-byte
 * buffer) per record and per header, a temporary array and `Buffer.from` per varint, and copies
 * the records again into the batch, the batch into its partition, the partition into its topic
 * and the topic into the request, each time into a buffer grown by doubling.
 *
 * Lengths that precede a string are written after it: the string goes where the length's
 * width, guessed from its UTF-16 length, ends, and moves only when its UTF-8 length needs a
 * wider varint (non-ASCII text across 64 or 8192 bytes). A record's length is guessed the same
 * way from the record before it. The record batch's CRC-32C is computed in place.
 *
 * One writer per process: `encode` is synchronous and hands out a copy of exactly the payload's
 * bytes (after the headroom asked for), so the scratch buffer is free again when it returns.
 */
export class ProduceRequestWriter {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private off = 0;
  /** Width of the previous record's length varint: the next record's guess. */
  private recordLengthWidth = 2;

  constructor(private readonly long: KafkajsLong) {}

  /**
   * The request payload (what kafkajs' `encode()` gives as an Encoder's buffer), after
   * `headroom` bytes left unwritten for the request's framing. Throws NotLeanEncodable for input
   * it leaves to kafkajs.
   */
  encode(args: ProduceRequestArgs, headroom = 0): Buffer {
    const { acks, timeout, transactionalId = null, producerId = -1, producerEpoch = 0, compression = NO_COMPRESSION, topicData } = args;
    if (compression !== NO_COMPRESSION) throw new NotLeanEncodable('compression');
    this.off = 0;
    try {
      this.string(transactionalId);
      this.ensure(10);
      this.buf.writeInt16BE(acks, this.off);
      this.buf.writeInt32BE(timeout, this.off + 2);
      this.buf.writeInt32BE(topicData.length, this.off + 6);
      this.off += 10;
      for (const { topic, partitions } of topicData) {
        this.string(topic);
        this.int32(partitions.length);
        for (const p of partitions) this.partition(p, transactionalId, producerId, producerEpoch);
      }
      const out = Buffer.allocUnsafe(headroom + this.off);
      this.buf.copy(out, headroom, 0, this.off);
      return out;
    } finally {
      if (this.buf.length > MAX_KEPT_BYTES) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
    }
  }

  /** One partition's record set: its number, size, and one record batch (kafkajs' `recordBatch/v0`). */
  private partition(
    { partition, messages, firstSequence = 0 }: ProducePartitionData,
    transactionalId: string | null,
    producerId: unknown,
    producerEpoch: number,
  ) {
    if (!Array.isArray(messages)) throw new NotLeanEncodable('messages that are not an array');
    const dateNow = Date.now();
    let firstTimestamp: unknown = dateNow;
    let maxTimestamp: unknown = dateNow;
    if (messages.some((m) => m.timestamp != null)) {
      // kafkajs' own choice, sort order included (default sort: as strings).
      const timestamps = messages
        .map((m) => m.timestamp)
        .filter((t) => t != null)
        .sort();
      firstTimestamp = timestamps[0];
      maxTimestamp = timestamps[timestamps.length - 1];
    }

    this.int32(partition);
    const sizeAt = this.reserve(4); // the record set's size
    const setStart = this.off;
    this.ensure(8 + 4 + 4 + 1 + 4);
    this.buf.fill(0, this.off, this.off + 8); // first offset: 0
    this.off += 8;
    const lengthAt = this.reserve(4); // the batch's length
    const batchStart = this.off;
    this.int32(0); // partition leader epoch
    this.buf[this.off++] = MAGIC_BYTE;
    const crcAt = this.reserve(4);
    const bodyStart = this.off;
    this.ensure(2 + 4);
    this.buf.writeInt16BE(transactionalId ? TRANSACTIONAL_ATTRIBUTE : 0, this.off);
    this.buf.writeInt32BE(messages.length - 1, this.off + 2); // last offset delta
    this.off += 6;
    this.int64(firstTimestamp);
    this.int64(maxTimestamp);
    this.int64(producerId);
    this.ensure(2 + 4 + 4);
    this.buf.writeInt16BE(producerEpoch, this.off);
    this.buf.writeInt32BE(firstSequence, this.off + 2);
    this.buf.writeInt32BE(messages.length, this.off + 6);
    this.off += 10;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      this.record(m, i, ((m.timestamp || dateNow) as number) - (firstTimestamp as number));
    }
    this.buf.writeUInt32BE(crc32c(this.buf, bodyStart, this.off), crcAt);
    this.buf.writeInt32BE(this.off - batchStart, lengthAt);
    this.buf.writeInt32BE(this.off - setStart, sizeAt);
  }

  /** One record (kafkajs' `recordBatch/record/v0`): length, attributes, deltas, key, value, headers. */
  private record(m: ProduceMessage, offsetDelta: number, timestampDelta: number) {
    const { key, value, headers = {} } = m;
    if (typeof headers !== 'object' || headers === null) throw new NotLeanEncodable('headers that are not an object');
    const h = headers as Record<string, unknown>;
    const names = Object.keys(h);
    let headerCount = 0;
    for (const name of names) {
      const v = h[name];
      headerCount += Array.isArray(v) ? v.length : 1;
    }

    const start = this.off;
    const guess = this.recordLengthWidth;
    this.ensure(guess + 1);
    this.off += guess;
    this.buf[this.off++] = 0; // attributes
    this.varLong(timestampDelta);
    this.varInt(offsetDelta);
    this.bytes(key, 'key');
    this.bytes(value, 'value');
    this.varInt(headerCount);
    for (const name of names) {
      const v = h[name];
      if (Array.isArray(v)) {
        for (const item of v as unknown[]) {
          this.text(name);
          this.headerValue(item);
        }
      } else {
        this.text(name);
        this.headerValue(v);
      }
    }

    const length = this.off - start - guess;
    const width = uVarIntSize(zigZag(length));
    if (width !== guess) {
      this.ensure(Math.max(0, width - guess));
      this.buf.copyWithin(start + width, start + guess, this.off);
      this.off += width - guess;
      this.recordLengthWidth = width;
    }
    putUVarInt(this.buf, start, zigZag(length));
  }

  /** A header value: kafkajs sizes it with `Buffer.byteLength`, so only strings and Buffers are consistent. */
  private headerValue(v: unknown) {
    if (typeof v === 'string') this.text(v);
    else if (Buffer.isBuffer(v)) this.buffer(v);
    else throw new NotLeanEncodable('a header value that is neither a string nor a Buffer');
  }

  /** kafkajs' `writeVarIntBytes` for a record's key or value: null, a string or a Buffer. */
  private bytes(v: unknown, what: string) {
    if (v == null) this.varInt(-1);
    else if (typeof v === 'string') this.text(v);
    else if (Buffer.isBuffer(v)) this.buffer(v);
    else throw new NotLeanEncodable(`a ${what} that is neither a string nor a Buffer`);
  }

  private buffer(v: Buffer) {
    this.varInt(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.off);
    this.off += v.length;
  }

  /** UTF-8 text after its zigzag varint byte length, the length written once the text is. */
  private text(s: string) {
    const guess = uVarIntSize(zigZag(s.length));
    // UTF-8 takes at most 3 bytes per UTF-16 unit; a varint at most 5.
    this.ensure(5 + 3 * s.length);
    const start = this.off;
    const n = this.buf.write(s, start + guess);
    const width = uVarIntSize(zigZag(n));
    if (width !== guess) this.buf.copyWithin(start + width, start + guess, start + guess + n);
    this.off = putUVarInt(this.buf, start, zigZag(n)) + n;
  }

  /** kafkajs' `writeString`: int16 byte length (-1 for null) and UTF-8. */
  private string(s: string | null | undefined) {
    if (s == null) {
      this.ensure(2);
      this.buf.writeInt16BE(-1, this.off);
      this.off += 2;
      return;
    }
    if (typeof s !== 'string') throw new NotLeanEncodable('a name that is not a string');
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(2 + n);
    this.buf.writeInt16BE(n, this.off);
    this.buf.write(s, this.off + 2);
    this.off += 2 + n;
  }

  private varInt(value: number) {
    this.ensure(5);
    this.off = putUVarInt(this.buf, this.off, zigZag(value));
  }

  /** kafkajs' `writeVarLong` for a record's timestamp delta. */
  private varLong(value: number) {
    if (!isDoubleVarLong(value)) throw new NotLeanEncodable('a timestamp delta that is not a small integer');
    this.ensure(10);
    this.off = putVarLong(this.buf, this.off, value);
  }

  private int32(value: number) {
    this.ensure(4);
    this.buf.writeInt32BE(value, this.off);
    this.off += 4;
  }

  /** kafkajs' `writeInt64`: through its Long, so strings and Longs convert as there. */
  private int64(value: unknown) {
    const long = this.long.fromValue(value);
    this.ensure(8);
    this.buf.writeInt32BE(long.getHighBits(), this.off);
    this.buf.writeInt32BE(long.getLowBits(), this.off + 4);
    this.off += 8;
  }

  /** Skips `n` bytes to be filled in later; returns where they start. */
  private reserve(n: number): number {
    this.ensure(n);
    const at = this.off;
    this.off += n;
    return at;
  }

  private ensure(n: number) {
    const needed = this.off + n;
    if (needed <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.off);
    this.buf = grown;
  }
}
