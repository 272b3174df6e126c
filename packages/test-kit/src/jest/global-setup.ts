import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { dockerEngineAvailable } from '../docker.js';
import { repoRoot } from '../repo-root.js';

interface StartedContainer {
  stop(): Promise<unknown>;
}

declare global {
  // Shared with global-teardown (same process).
  var __hookstreamTestInfra: { containers: StartedContainer[]; stopKafka: boolean } | undefined;
}

const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.1'; // Apache Kafka 3.9 line, as infra/kafka
const POSTGRES_IMAGE = 'postgres:15-alpine';

/**
 * Gives the test run a real Kafka broker and a real PostgreSQL server, through
 * environment variables every test process inherits: KAFKA_BROKERS and
 * HOOKSTREAM_TEST_PG_URL (a server URL; each test file makes its own database).
 */
export default async function globalSetup(): Promise<void> {
  const state: NonNullable<typeof globalThis.__hookstreamTestInfra> = { containers: [], stopKafka: false };
  globalThis.__hookstreamTestInfra = state;
  let kafkaVersion = 'unknown';

  if (!process.env.KAFKA_BROKERS || !process.env.HOOKSTREAM_TEST_PG_URL) {
    if (await dockerEngineAvailable()) {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      if (!process.env.KAFKA_BROKERS) {
        const kafka = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
        state.containers.push(kafka);
        process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
        kafkaVersion = `3.9 (${KAFKA_IMAGE}, testcontainers)`;
      }
      if (!process.env.HOOKSTREAM_TEST_PG_URL) {
        const pgc = await new PostgreSqlContainer(POSTGRES_IMAGE).withUsername('postgres').withPassword('postgres').start();
        state.containers.push(pgc);
        process.env.HOOKSTREAM_TEST_PG_URL = pgc.getConnectionUri();
      }
    }
  }

  if (!process.env.KAFKA_BROKERS) {
    const launcher = path.join(repoRoot(), 'infra', 'kafka', 'kafka.mjs');
    const out = execFileSync(process.execPath, [launcher, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const info = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { brokers: string; version: string; started: boolean };
    process.env.KAFKA_BROKERS = info.brokers;
    kafkaVersion = `${info.version} (infra/kafka, ${info.started ? 'started for this run' : 'reused'})`;
    // A broker this run started is stopped at the end, unless an outer runner owns it.
    state.stopKafka = info.started && process.env.HOOKSTREAM_TEST_KEEP_KAFKA !== '1';
  } else if (kafkaVersion === 'unknown') {
    kafkaVersion = process.env.HOOKSTREAM_TEST_KAFKA_VERSION ?? 'external';
  }
  process.env.HOOKSTREAM_TEST_PG_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

  const client = new pg.Client({ connectionString: process.env.HOOKSTREAM_TEST_PG_URL });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  process.stderr.write(
    `\n[test-kit] Apache Kafka ${kafkaVersion} at ${process.env.KAFKA_BROKERS}; PostgreSQL ${rows[0]?.server_version} at ${new URL(process.env.HOOKSTREAM_TEST_PG_URL).host}\n`,
  );
}
