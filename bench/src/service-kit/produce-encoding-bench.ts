/**
 * What kafkajs spends encoding a produce request like the matcher's (one event's jobs: 100
 * delivery-job records of about 1 KB with their headers, over 6 partitions), with kafkajs' own
 * encoding (`--kafkajs`) or the lean encoding createKafka installs (default). Each run is one
 * process, so run the two alternately. Prints CPU microseconds and bytes allocated per record
 * for the whole request as a connection builds it (the Produce payload and kafkajs' framing),
 * and the CRC-32C of a record batch alone.
 * Usage: npm run service-kit:produce-encoding -w @hookstream/bench -- [--kafkajs] [--ms=3000] [--records=100] [--partitions=6] [--json]
 */
import { createRequire } from 'node:module';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { encodeDeliveryJobRecord, fixtures } from '@hookstream/schemas';
import { crc32c, kafkajsProduceInternals, leanKafkaProduceEncoding, type ProduceRequestArgs } from '@hookstream/service-kit';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const kafkajsOnly = args.includes('--kafkajs');
const durationMs = option('ms', 3000);
const recordCount = option('records', 100);
const partitionCount = option('partitions', 6);
const asJson = args.includes('--json');

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
type CreateRequest = (options: {
  correlationId: number;
  clientId: string;
  request: { apiKey: number; apiVersion: number; encode: () => Promise<Encoded> };
}) => Promise<Encoded>;
const createRequest = require('kafkajs/src/protocol/request.js') as CreateRequest;
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

const lean = kafkajsOnly ? false : leanKafkaProduceEncoding();
if (!kafkajsOnly && !lean) throw new Error('the lean encoding is not in place (kafkajs version?)');
const { produce } = kafkajsProduceInternals();

// One event's jobs, as the matcher writes them: a webhook id key, the job JSON, four headers.
const messages = Array.from({ length: recordCount }, (_, i) =>
  encodeDeliveryJobRecord(fixtures.deliveryJob('replied-message', { webhook_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })),
);
const topicArgs = (): ProduceRequestArgs => ({
  acks: -1,
  timeout: 30_000,
  producerId: 4711,
  producerEpoch: 0,
  topicData: [
    {
      topic: 'deliveries',
      partitions: Array.from({ length: partitionCount }, (_, p) => ({
        partition: p,
        firstSequence: 1000 * p,
        messages: messages.filter((_, i) => i % partitionCount === p),
      })),
    },
  ],
});
const produceV7 = produce.protocol({ version: 7 })!;
let correlationId = 0;
/** The request bytes a connection writes: Produce v7 payload plus kafkajs' request framing. */
const encodeRequest = async (): Promise<Buffer> =>
  (await createRequest({ correlationId: correlationId++, clientId: 'bench', request: produceV7(topicArgs()).request as never })).buffer;

/** Garbage collections seen since the last reset: a chunk during which one ran has no allocation figure. */
let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
const allocated = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

async function measureRequests() {
  const requestBytes = (await encodeRequest()).length;
  const warmUntil = performance.now() + Math.min(500, durationMs / 4);
  while (performance.now() < warmUntil) await encodeRequest();
  const bytesPerChunk: number[] = [];
  let requests = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    // The gc entries arrive asynchronously: settle them before and after a chunk of one request.
    await new Promise<void>((r) => setImmediate(r));
    const gcsBefore = gcs;
    const before = allocated();
    await encodeRequest();
    const after = allocated();
    await new Promise<void>((r) => setImmediate(r));
    if (gcs === gcsBefore && after >= before) bytesPerChunk.push(after - before);
    requests++;
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const records = requests * recordCount;
  return {
    request_bytes: requestBytes,
    requests,
    us_cpu_per_record: (cpu.user + cpu.system) / records,
    us_wall_per_record: (wallMs * 1000) / records,
    bytes_allocated_per_record: Math.round(median(bytesPerChunk) / recordCount),
    chunks_without_gc: bytesPerChunk.length,
  };
}

function measureCrc() {
  const batch = Buffer.from(messages.map((m) => m.value).join(''));
  const crc = kafkajsOnly ? kafkajsCrc32c : (b: Buffer) => crc32c(b);
  let rounds = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs / 3) {
    for (let i = 0; i < 20; i++) crc(batch);
    rounds += 20;
  }
  const ms = performance.now() - start;
  return { crc_batch_bytes: batch.length, crc_us_per_batch: (ms * 1000) / rounds, crc_mb_per_s: (batch.length * rounds) / 1e6 / (ms / 1000) };
}

const result = {
  encoding: kafkajsOnly ? 'kafkajs' : 'lean',
  node: process.version,
  records_per_request: recordCount,
  partitions: partitionCount,
  duration_ms: durationMs,
  ...(await measureRequests()),
  ...measureCrc(),
};
if (asJson) console.log(JSON.stringify(result));
else {
  console.log(
    `produce request encoding (${result.encoding}, node ${result.node}): ${recordCount} records of ~${Math.round(result.request_bytes / recordCount)} bytes over ${partitionCount} partitions`,
  );
  console.log(
    `  ${result.us_cpu_per_record.toFixed(3)} us CPU per record (${result.us_wall_per_record.toFixed(3)} wall), ${result.bytes_allocated_per_record} bytes allocated per record (median of ${result.chunks_without_gc} requests without a GC)`,
  );
  console.log(`  CRC-32C of a ${result.crc_batch_bytes}-byte batch: ${result.crc_us_per_batch.toFixed(1)} us (${result.crc_mb_per_s.toFixed(0)} MB/s)`);
}
