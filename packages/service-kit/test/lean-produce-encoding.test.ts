import { createRequire } from 'node:module';
import fc from 'fast-check';
import { crc32c } from '../src/kafka/crc32c.js';
import {
  kafkajsProduceInternals,
  leanKafkaProduceEncoding,
  leanProduceVersion,
  varLongInPlace,
  writeEncoderIntoHeadroom,
  writeUVarIntInPlace,
  type KafkajsEncoder,
} from '../src/kafka/lean-produce-encoding.js';
import { NotLeanEncodable, ProduceRequestWriter, type ProduceMessage, type ProduceRequestArgs } from '../src/kafka/produce-request-writer.js';

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
type Request = { apiKey: number; apiVersion: number; encode: () => Promise<Encoded> };
type ProduceVersion = (args: ProduceRequestArgs) => { request: Request; response: unknown };
const createRequest = require('kafkajs/src/protocol/request.js') as (o: { correlationId: number; clientId: string; request: Request }) => Promise<Encoded>;
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
const { Encoder, Long, produce } = kafkajsProduceInternals();
// kafkajs' own produce versions and Encoder methods, taken before anything is patched.
const kafkajsProtocol = produce.protocol as unknown as (o: { version: number }) => ProduceVersion;
const kafkajsV7 = kafkajsProtocol({ version: 7 });
const kafkajs = {
  writeUVarInt: Encoder.prototype.writeUVarInt,
  writeVarLong: Encoder.prototype.writeVarLong,
  writeEncoder: Encoder.prototype.writeEncoder,
};
const lean = {
  writeUVarInt: writeUVarIntInPlace,
  writeVarLong: varLongInPlace(kafkajs.writeVarLong),
  writeEncoder: writeEncoderIntoHeadroom(kafkajs.writeEncoder),
};
const writer = new ProduceRequestWriter(Long);
const leanV7 = leanProduceVersion(kafkajsV7 as never, writer, Encoder) as unknown as ProduceVersion;

/** Runs `f` with the lean Encoder methods in place, or kafkajs' own. */
async function withEncoder<T>(methods: typeof kafkajs, f: () => Promise<T> | T): Promise<T> {
  Object.assign(Encoder.prototype, methods);
  try {
    return await f();
  } finally {
    Object.assign(Encoder.prototype, kafkajs);
  }
}

/** What a call gave: its bytes, or its error's name and message. */
async function outcome(f: () => Promise<Encoded>): Promise<{ bytes?: string; error?: string }> {
  try {
    return { bytes: (await f()).buffer.toString('hex') };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** The whole request as a connection writes it (payload and framing), at a fixed clock. */
async function requestBytes(version: ProduceVersion, args: ProduceRequestArgs, methods: typeof kafkajs, now: number) {
  const realNow = Date.now;
  Date.now = () => now;
  try {
    return await withEncoder(methods, () =>
      outcome(() => createRequest({ correlationId: 42, clientId: 'hookstream-matcher', request: version(args).request })),
    );
  } finally {
    Date.now = realNow;
  }
}

// Text of every kind: ASCII, any UTF-16 unit (lone surrogates included), and lengths around the
// varint widths (64 and 8192 bytes) reached by ASCII or by multi-byte characters.
const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((units) => String.fromCharCode(...units));
const boundaryText = fc.constantFrom(
  '',
  'a'.repeat(63),
  'a'.repeat(64),
  'é'.repeat(31),
  'é'.repeat(32),
  '€'.repeat(21),
  '€'.repeat(22),
  '😀'.repeat(16),
  'a'.repeat(8191),
  'é'.repeat(4096),
  '€'.repeat(2731),
);
const text = fc.oneof({ arbitrary: fc.string({ maxLength: 80 }), weight: 3 }, { arbitrary: anyUnits, weight: 2 }, { arbitrary: boundaryText, weight: 1 });
const bytes = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)), weight: 3 },
  // A view into a larger buffer, as pooled Buffers are.
  { arbitrary: fc.uint8Array({ minLength: 4, maxLength: 40 }).map((a) => Buffer.from(a).subarray(2)), weight: 1 },
);
// Values past 64 KiB (a three-byte length), as text or bytes.
const large = fc.oneof(
  fc.integer({ min: 65_536, max: 70_000 }).map((n) => Buffer.alloc(n, n & 0xff)),
  fc.integer({ min: 21_846, max: 23_000 }).map((n) => '€'.repeat(n)),
  fc.integer({ min: 65_536, max: 66_000 }).map((n) => 'x'.repeat(n)),
);
const keyOrValue = fc.oneof(
  { arbitrary: fc.constantFrom(undefined, null), weight: 1 },
  { arbitrary: text, weight: 4 },
  { arbitrary: bytes, weight: 2 },
  { arbitrary: large, weight: 1 },
);
const headerValue = fc.oneof(text, bytes);
const headers = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(
    fc.oneof(fc.string({ maxLength: 30 }), anyUnits, fc.constantFrom('0', '7', 'traceparent')),
    fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
    {
      maxKeys: 6,
    },
  ),
);
const timestamp = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 6 },
  { arbitrary: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }).map(String), weight: 1 },
  // kafkajs sorts timestamps as strings: shorter numbers put the batch's first timestamp after later ones.
  { arbitrary: fc.integer({ min: 0, max: 99_999 }), weight: 1 },
);
const message: fc.Arbitrary<ProduceMessage> = fc.record({ key: keyOrValue, value: keyOrValue, headers, timestamp }, { requiredKeys: ['value'] });
const args: fc.Arbitrary<ProduceRequestArgs> = fc.record(
  {
    acks: fc.constantFrom(-1, 0, 1),
    timeout: fc.integer({ min: 0, max: 60_000 }),
    transactionalId: fc.oneof(fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 20 })),
    producerId: fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 2 ** 31 }), fc.maxSafeInteger()),
    producerEpoch: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 32_767 })),
    topicData: fc.array(
      fc.record({
        topic: fc.oneof(fc.constantFrom('deliveries', 'events'), fc.string({ minLength: 1, maxLength: 40 })),
        partitions: fc.array(
          fc.record(
            {
              partition: fc.integer({ min: 0, max: 100 }),
              firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
              messages: fc.array(message, { maxLength: 12 }),
            },
            { requiredKeys: ['partition', 'messages'] },
          ),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  },
  { requiredKeys: ['acks', 'timeout', 'topicData'] },
);

describe('CRC-32C', () => {
  it('gives the RFC 3720 (iSCSI) test vectors and the standard check value', () => {
    const iscsiRead = Buffer.from('01c000000000000000000000000000001400000000000400000000140000001828000000000000000200000000000000', 'hex');
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c);
    expect(crc32c(iscsiRead)).toBe(0xd9963a56);
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it("equals kafkajs' byte-at-a-time CRC over any bytes and any range of them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (array, a, b) => {
        const buf = Buffer.from(array);
        expect(crc32c(buf)).toBe(kafkajsCrc32c(buf));
        const start = buf.length === 0 ? 0 : a % buf.length;
        const end = start + (buf.length === 0 ? 0 : b % (buf.length - start + 1));
        expect(crc32c(buf, start, end)).toBe(kafkajsCrc32c(buf.subarray(start, end)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('varints written in place', () => {
  /** Bytes and buffer size of an encoder after `write`, from `start` bytes in. */
  const run = async (methods: typeof kafkajs, start: number, write: (e: KafkajsEncoder) => void) =>
    withEncoder(methods, () => {
      const e = new Encoder(1);
      (e as any).writeBufferInternal(Buffer.alloc(start, 7));
      try {
        write(e);
      } catch (err) {
        return { error: (err as Error).message };
      }
      return { bytes: e.buffer.toString('hex'), capacity: e.buf.length };
    });
  const numbers = fc.oneof(
    fc.integer(),
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
    fc.double(),
    fc.constantFrom(
      0,
      -0,
      63,
      64,
      -64,
      -65,
      8191,
      8192,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      2 ** 32,
      2 ** 51,
      -(2 ** 51),
      2 ** 51 + 1,
      2 ** 53,
      NaN,
      Infinity,
      -Infinity,
    ),
  );

  it("unsigned and zigzag varints are kafkajs' bytes, and grow the encoder's buffer as kafkajs does", async () => {
    await fc.assert(
      fc.asyncProperty(numbers, fc.integer({ min: 0, max: 520 }), async (n, start) => {
        expect(await run(lean, start, (e) => e.writeUVarInt(n))).toEqual(await run(kafkajs, start, (e) => e.writeUVarInt(n)));
        const zigzag = (e: KafkajsEncoder) => (e as KafkajsEncoder & { writeVarInt(v: number): void }).writeVarInt(n);
        expect(await run(lean, start, zigzag)).toEqual(await run(kafkajs, start, zigzag));
      }),
      { numRuns: 1000 },
    );
  });

  it("64-bit varints are kafkajs' bytes for numbers, and kafkajs' own answer for strings and Longs", async () => {
    const values = fc.oneof(
      numbers,
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
      fc.integer().map((n) => Long.fromValue(n)),
    );
    await fc.assert(
      fc.asyncProperty(values, fc.integer({ min: 0, max: 520 }), async (n, start) => {
        expect(await run(lean, start, (e) => e.writeVarLong(n))).toEqual(await run(kafkajs, start, (e) => e.writeVarLong(n)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('produce requests written by the lean encoding', () => {
  it("are kafkajs' bytes, framing included, for random record batches", async () => {
    await fc.assert(
      fc.asyncProperty(args, fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }), async (a, now) => {
        const expected = await requestBytes(kafkajsV7, a, kafkajs, now);
        expect(expected.bytes).toBeDefined();
        expect(await requestBytes(leanV7, a, lean, now)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('are written in one piece by the writer: no input of the test above is left to kafkajs', () => {
    fc.assert(
      fc.property(args, (a) => {
        expect(writer.encode(a).length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("a matcher-like request (100 jobs of about 1 KB with headers over 6 partitions) is kafkajs' request", async () => {
    const job = (i: number): ProduceMessage => ({
      key: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      value: JSON.stringify({ v: 1, delivery_id: `d-${i}`, body: { text: 'x'.repeat(900), n: i } }),
      headers: {
        'hookstream-record-type': 'delivery-job',
        'hookstream-delivery-id': `d-${i}`,
        'hookstream-tenant-id': 't',
        'hookstream-event-type': 'replied-message',
      },
    });
    const jobs = Array.from({ length: 100 }, (_, i) => job(i));
    const a: ProduceRequestArgs = {
      acks: -1,
      timeout: 30_000,
      producerId: 4711,
      producerEpoch: 0,
      topicData: [
        {
          topic: 'deliveries',
          partitions: Array.from({ length: 6 }, (_, p) => ({ partition: p, firstSequence: p * 10, messages: jobs.filter((_, i) => i % 6 === p) })),
        },
      ],
    };
    const expected = await requestBytes(kafkajsV7, a, kafkajs, 1_765_000_000_000);
    expect(expected.bytes!.length / 2).toBeGreaterThan(100_000);
    expect(await requestBytes(leanV7, a, lean, 1_765_000_000_000)).toEqual(expected);
  });

  it("leaves to kafkajs what it does not write, with kafkajs' answer: compression, and values kafkajs refuses", async () => {
    const base = (messages: unknown[], compression?: number): ProduceRequestArgs => ({
      acks: -1,
      timeout: 1000,
      ...(compression === undefined ? {} : { compression }),
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: messages as ProduceMessage[] }] }],
    });
    const cases: [string, ProduceRequestArgs][] = [
      ['gzip', base([{ key: 'k', value: 'v'.repeat(500), headers: { h: 'x' } }], 1)],
      ['a null header value', base([{ value: 'v', headers: { h: null } }])],
      ['a number key', base([{ key: 5, value: 'v' }])],
      ['a Uint8Array value', base([{ value: new Uint8Array([1, 2, 3]) }])],
      [
        'a fractional timestamp',
        base([
          { value: 'v', timestamp: '1.5' },
          { value: 'w', timestamp: 2 },
        ]),
      ],
      ['null headers', base([{ value: 'v', headers: null }])],
      ['a null message', base([null])],
      ['an int16 overflow', { ...base([{ value: 'v' }]), acks: 40_000 }],
    ];
    for (const [what, a] of cases) {
      // Refused by the writer (NotLeanEncodable, or the same error kafkajs' Long or Buffer gives).
      if (what !== 'gzip') expect(() => writer.encode(a)).toThrow();
      else expect(() => writer.encode(a)).toThrow(NotLeanEncodable);
      const expected = await requestBytes(kafkajsV7, a, kafkajs, 1_765_000_000_000);
      expect({ what, ...(await requestBytes(leanV7, a, lean, 1_765_000_000_000)) }).toEqual({ what, ...expected });
    }
  });

  it('frames a payload in place once: a second framing of the same payload copies it as kafkajs does', async () => {
    const a: ProduceRequestArgs = {
      acks: -1,
      timeout: 1000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v' }] }] }],
    };
    await withEncoder(lean, async () => {
      const payload = await leanV7(a).request.encode();
      const first = new Encoder().writeEncoder(payload as KafkajsEncoder).buffer;
      const second = new Encoder().writeEncoder(payload as KafkajsEncoder).buffer;
      expect(second).toEqual(first);
      expect(second.buffer).not.toBe(first.buffer);
      expect(first.buffer).toBe(payload.buffer.buffer);
    });
  });
});

describe('the patch', () => {
  it('leaves an unknown kafkajs release alone, logged once', () => {
    const lines: string[] = [];
    const log = { debug: (_: object, m: string) => lines.push(`debug ${m}`), info: (_: object, m: string) => lines.push(`info ${m}`) };
    expect(leanKafkaProduceEncoding(log, '2.3.0')).toBe(false);
    expect(leanKafkaProduceEncoding(log, '2.3.0')).toBe(false);
    expect(lines).toEqual(['info kafkajs 2.3.0 encodes its own produce requests: the lean encoding is written for 2.2.4 only']);
    expect(produce.protocol).toBe(kafkajsProtocol);
    expect(Encoder.prototype.writeUVarInt).toBe(kafkajs.writeUVarInt);
  });

  it("is applied to kafkajs 2.2.4 once, and the broker's Produce versions 3-7 then write kafkajs' bytes", async () => {
    const lines: string[] = [];
    const log = { debug: (_: object, m: string) => lines.push(m), info: (_: object, m: string) => lines.push(m) };
    const a: ProduceRequestArgs = {
      acks: -1,
      timeout: 1000,
      topicData: [
        { topic: 'deliveries', partitions: [{ partition: 2, messages: [{ key: 'k', value: 'é'.repeat(40), headers: { a: ['1', Buffer.from('2')] } }] }] },
      ],
    };
    const expected = await Promise.all([3, 4, 5, 6, 7].map((version) => requestBytes(kafkajsProtocol({ version }), a, kafkajs, 1_765_000_000_000)));
    expect(leanKafkaProduceEncoding(log)).toBe(true);
    expect(leanKafkaProduceEncoding(log)).toBe(true);
    expect(lines).toEqual(['kafkajs produce requests use the lean encoding']);
    const patched = {
      writeUVarInt: Encoder.prototype.writeUVarInt,
      writeVarLong: Encoder.prototype.writeVarLong,
      writeEncoder: Encoder.prototype.writeEncoder,
    };
    expect(patched.writeUVarInt).toBe(writeUVarIntInPlace);
    const versions = [3, 4, 5, 6, 7].map((version) => (produce.protocol as unknown as (o: { version: number }) => ProduceVersion)({ version }));
    const got = await Promise.all(versions.map((v) => requestBytes(v, a, patched, 1_765_000_000_000)));
    expect(got).toEqual(expected);
    // Versions 0-2 write message sets: kafkajs' own.
    expect(produce.protocol({ version: 2 })).toBe(kafkajsProtocol({ version: 2 }));
  });
});
