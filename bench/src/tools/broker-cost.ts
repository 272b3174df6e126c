#!/usr/bin/env node
// node bench/dist/tools/broker-cost.js [--port=19392] [--idle=20] [--load=10]
//
// The Kafka broker's own CPU, on a broker of its own started fresh from this tree's infra/kafka
// (its server.properties and JVM flags): its share of a core idle (--idle s, after the start has
// settled), then its CPU per message through the relay of ceiling B (produce, consume and
// re-produce, consume: acks=all, idempotent producers) over --load s. Compare two trees'
// settings by running it from each, alternately.
import fs from 'node:fs';
import path from 'node:path';
import { createKafka, createLogger, ensureTopics } from '@hookstream/service-kit';
import { startPrivateBroker, uniqueId } from '@hookstream/test-kit';
import { kafkaCeiling } from '../ceiling-kafka.js';
import { cpuSeconds } from '../cpu.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const port = Number(arg('port', '19392'));
const idleS = Number(arg('idle', '20'));
const loadS = Number(arg('load', '10'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function brokerPidOn(port: number): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const props = cmd.find((c) => c.endsWith('server.properties'));
      if (cmd.includes('kafka.Kafka') && props && fs.readFileSync(props, 'utf8').includes(`PLAINTEXT://127.0.0.1:${port},`)) return Number(entry);
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return undefined;
}

const broker = await startPrivateBroker({ port });
try {
  const pid = brokerPidOn(port);
  if (!pid) throw new Error(`no broker process found on port ${port}`);
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'broker-cost', logger: createLogger('bench', 'error') });
  const admin = kafka.admin();
  await admin.connect();
  const prefix = `${uniqueId('bc')}.`;
  const topics: [string, string] = [`${prefix}a`, `${prefix}b`];
  await ensureTopics(
    admin,
    topics.map((topic) => ({ topic, numPartitions: 4 })),
  );
  await admin.disconnect();
  await sleep(10_000);
  const idle0 = cpuSeconds(pid)!;
  const t0 = Date.now();
  await sleep(idleS * 1000);
  const idlePercent = ((cpuSeconds(pid)! - idle0) / ((Date.now() - t0) / 1000)) * 100;

  const load0 = cpuSeconds(pid)!;
  const t1 = Date.now();
  const perS = await kafkaCeiling(kafka, topics, JSON.stringify({ id: 'x'.repeat(36), data: 'y'.repeat(600) }), loadS);
  const loadCpu = cpuSeconds(pid)! - load0;
  const relayed = perS * loadS;
  process.stdout.write(
    JSON.stringify({
      settings: path.relative(process.cwd(), path.resolve('infra/kafka/kafka.mjs')),
      broker_idle_percent_of_core: Number(idlePercent.toFixed(2)),
      relay_msgs_per_s: Math.round(perS),
      broker_cpu_ms_per_relayed_msg: Number(((loadCpu * 1000) / Math.max(1, relayed)).toFixed(4)),
      load_wall_s: Math.round((Date.now() - t1) / 1000),
    }) + '\n',
  );
} finally {
  await broker.destroy();
}
