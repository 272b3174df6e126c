import { createRequire } from 'node:module';
import { isDoubleVarLong, putUVarInt, putVarLong, uVarIntSize, varLongSize } from './kafka-varint.js';
import { ProduceRequestWriter, type KafkajsLong, type ProduceRequestArgs } from './produce-request-writer.js';

/**
 * The parts of kafkajs' Encoder (src/protocol/encoder.js) the patch touches or builds. Not a
 * public kafkajs API: the modules are reached by their paths, and the patch is applied only to
 * the release it was written against.
 */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  ensureAvailable(length: number): void;
  writeUVarInt(value: number): KafkajsEncoder;
  writeVarLong(value: unknown): KafkajsEncoder;
  writeEncoder(value: KafkajsEncoder): KafkajsEncoder;
}
export type KafkajsEncoderClass = (new (initialSize?: number) => KafkajsEncoder) & { prototype: KafkajsEncoder };

/** A version of kafkajs' Produce request: builds the request (with its `encode`) and names its response parser. */
type ProduceVersion = (args: ProduceRequestArgs) => { request: { encode: () => Promise<KafkajsEncoder> }; response: unknown };
/** kafkajs' `requests/produce/index.js`: the broker looks `protocol` up at every produce. */
interface ProduceDefinitions {
  protocol: (options: { version: number }) => ProduceVersion | undefined;
}

/** The kafkajs release whose produce encoding this reproduces byte for byte. */
export const LEAN_ENCODING_KAFKAJS_VERSION = '2.2.4';
/** Produce versions that write record batches (v3-v7 share kafkajs' v3 encoding; v0-v2 write message sets). */
const RECORD_BATCH_VERSIONS = new Set([3, 4, 5, 6, 7]);

/**
 * kafkajs' `writeUVarInt` without its temporary array and `Buffer.from`: the same bytes (the
 * same 32-bit loop) and the same `ensureAvailable` call, so the encoder's buffer grows as before.
 */
export function writeUVarIntInPlace(this: KafkajsEncoder, value: number): KafkajsEncoder {
  this.ensureAvailable(uVarIntSize(value));
  this.offset = putUVarInt(this.buf, this.offset, value);
  return this;
}

/** kafkajs' `writeVarLong` for integers below 2^51 in magnitude without its BigInt Longs; other values go to `original`. */
export function varLongInPlace(original: (this: KafkajsEncoder, value: unknown) => KafkajsEncoder) {
  return function writeVarLong(this: KafkajsEncoder, value: unknown): KafkajsEncoder {
    if (!isDoubleVarLong(value)) return original.call(this, value);
    this.ensureAvailable(varLongSize(value));
    this.offset = putVarLong(this.buf, this.offset, value);
    return this;
  };
}

/** Where a lean payload's bytes lie in a buffer that has free room before them. */
interface Headroom {
  whole: Buffer;
  /** The encoder's bytes are `whole[start, whole.length)`; `whole[0, start)` is free. */
  start: number;
  /** The encoder's `buf` when the room was given: if it grew since, its bytes are elsewhere. */
  buf: Buffer;
}
const HEADROOM = Symbol('hookstream lean produce headroom');
type WithHeadroom = KafkajsEncoder & { [HEADROOM]?: Headroom };

/**
 * Room left before a lean payload for kafkajs' request framing (`protocol/request.js`: size,
 * API key and version, correlation id, client id), which otherwise copies the payload twice,
 * each time into a zero-filled buffer grown to the next power of two.
 */
export const FRAMING_HEADROOM = 128;

/** An Encoder holding `whole[headroom, ...)`, whose bytes a framing encoder may prepend to in place. */
export function encoderWithHeadroom(Encoder: KafkajsEncoderClass, whole: Buffer, headroom: number): KafkajsEncoder {
  const encoder = Object.create(Encoder.prototype) as WithHeadroom;
  encoder.buf = whole.subarray(headroom);
  encoder.offset = whole.length - headroom;
  encoder[HEADROOM] = { whole, start: headroom, buf: encoder.buf };
  return encoder;
}

/**
 * kafkajs' `writeEncoder(value)` appends a copy of `value`'s bytes. When `value` is a lean
 * payload (or a framing around one) with room for this encoder's bytes before it, those few
 * bytes are copied there instead and this encoder takes the joined bytes as its own: the same
 * bytes, without copying the payload. Each room is taken once; everything else is kafkajs' copy.
 */
export function writeEncoderIntoHeadroom(original: (this: KafkajsEncoder, value: KafkajsEncoder) => KafkajsEncoder) {
  return function writeEncoder(this: WithHeadroom, value: KafkajsEncoder): KafkajsEncoder {
    const room = (value as WithHeadroom | null | undefined)?.[HEADROOM];
    if (room === undefined || this.offset > room.start || value.buf !== room.buf || value.offset !== room.buf.length) {
      return original.call(this, value);
    }
    const start = room.start - this.offset;
    this.buf.copy(room.whole, start, 0, this.offset);
    (value as WithHeadroom)[HEADROOM] = undefined;
    this.buf = room.whole.subarray(start);
    this.offset = this.buf.length;
    this[HEADROOM] = { whole: room.whole, start, buf: this.buf };
    return this;
  };
}

/**
 * Wraps a Produce version so that its request's `encode` writes the payload with `writer`
 * (records into one buffer, CRC-32C by slicing-by-8), handing kafkajs an Encoder holding those
 * bytes with {@link FRAMING_HEADROOM} before them. Input the writer leaves alone (compression, values kafkajs would refuse), and any error
 * of the writer, goes to kafkajs' own `encode`, which gives kafkajs' bytes or kafkajs' error.
 */
export function leanProduceVersion(factory: ProduceVersion, writer: ProduceRequestWriter, Encoder: KafkajsEncoderClass): ProduceVersion {
  return (args) => {
    const built = factory(args);
    const kafkajsEncode = built.request.encode;
    built.request.encode = async () => {
      let whole: Buffer;
      try {
        whole = writer.encode(args, FRAMING_HEADROOM);
      } catch {
        return kafkajsEncode();
      }
      return encoderWithHeadroom(Encoder, whole, FRAMING_HEADROOM);
    };
    return built;
  };
}

/** What the kafkajs modules resolve to, for tests that compare with kafkajs' own encoding. */
export interface KafkajsProduceInternals {
  Encoder: KafkajsEncoderClass;
  Long: KafkajsLong;
  produce: ProduceDefinitions;
}

/** kafkajs' modules the patch reaches by path (throws if the release lays them out otherwise). */
export function kafkajsProduceInternals(): KafkajsProduceInternals {
  const require = createRequire(import.meta.url);
  return {
    Encoder: require('kafkajs/src/protocol/encoder.js') as KafkajsEncoderClass,
    Long: require('kafkajs/src/utils/long.js') as KafkajsLong,
    produce: require('kafkajs/src/protocol/requests/produce/index.js') as ProduceDefinitions,
  };
}

/** Where a log line about the patch goes (the service's pino logger). */
export interface PatchLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

let applied = false;
let refusalLogged = false;

/** The kafkajs release installed next to this package. */
function installedKafkajsVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('kafkajs/package.json') as { version: string }).version;
}

/**
 * Makes kafkajs write produce requests with far less allocation and CPU, byte for byte as
 * before (once per process; every producer of the process then uses it): varints written in
 * place in every kafkajs Encoder, Produce v3-v7 payloads written by one ProduceRequestWriter, and
 * their request framing written in front of them instead of copying them. Returns whether it is
 * in place. A kafkajs other than {@link LEAN_ENCODING_KAFKAJS_VERSION}, or one whose modules are
 * not where 2.2.4 has them, is left as it is, which is logged once.
 */
export function leanKafkaProduceEncoding(log?: PatchLog, kafkajsVersion = installedKafkajsVersion()): boolean {
  if (applied) return true;
  const refuse = (fields: object, message: string) => {
    if (!refusalLogged) log?.info({ kafkajs: kafkajsVersion, ...fields }, message);
    refusalLogged = true;
    return false;
  };
  if (kafkajsVersion !== LEAN_ENCODING_KAFKAJS_VERSION) {
    return refuse({}, `kafkajs ${kafkajsVersion} encodes its own produce requests: the lean encoding is written for ${LEAN_ENCODING_KAFKAJS_VERSION} only`);
  }
  let internals: KafkajsProduceInternals;
  try {
    internals = kafkajsProduceInternals();
  } catch (e) {
    return refuse({ err: e }, 'kafkajs encodes its own produce requests: its modules are not where the lean encoding expects them');
  }
  const { Encoder, Long, produce } = internals;
  Encoder.prototype.writeUVarInt = writeUVarIntInPlace;
  Encoder.prototype.writeVarLong = varLongInPlace(Encoder.prototype.writeVarLong);
  Encoder.prototype.writeEncoder = writeEncoderIntoHeadroom(Encoder.prototype.writeEncoder);
  const writer = new ProduceRequestWriter(Long);
  const protocol = produce.protocol;
  produce.protocol = ({ version }) => {
    const factory = protocol({ version });
    return factory && RECORD_BATCH_VERSIONS.has(version) ? leanProduceVersion(factory, writer, Encoder) : factory;
  };
  log?.debug({ kafkajs: kafkajsVersion }, 'kafkajs produce requests use the lean encoding');
  applied = true;
  return true;
}
