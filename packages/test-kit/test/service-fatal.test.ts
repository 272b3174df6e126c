import { spawn } from 'node:child_process';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '../src/index.js';

/** A service whose work fails for good a moment after it is ready (as a consumer kafkajs will not restart). */
const FATAL_SERVICE = `
import { runService } from '@hookstream/service-kit';
await runService({
  name: 'fatal-probe',
  config: {},
  opsPort: { variable: 'OPS_PORT', default: 0 },
  async start(ctx) {
    // Through the service's own logger: its writes are asynchronous, so only lines on
    // the same stream keep their order.
    ctx.onShutdown('probe-work', () => ctx.logger.info('PROBE: work stopped'));
    setTimeout(() => ctx.fatal('probe consumer stopped for good', new Error('not retriable')), 200);
  },
});
`;

describe('a service that can no longer work', () => {
  let pg: TestDatabase;
  let kafka: TestKafka;
  beforeAll(async () => {
    [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka()]);
  });
  afterAll(async () => {
    await Promise.all([pg.drop(), kafka.close()]);
  });

  /** Runs the probe service to its end; its exit code and everything it wrote. */
  async function runProbe(env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
    const child = spawn(process.execPath, ['--input-type=module', '-e', FATAL_SERVICE], {
      // Resolved from this package, which depends on the service kit.
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, DATABASE_URL: pg.url, KAFKA_TOPIC_PREFIX: kafka.prefix, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // 'close', not 'exit': only then has everything the child wrote been read.
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, out };
  }

  it('warns when its start grows a topic (keys move to other partitions), and only then', async () => {
    // The test kit made the topics with 2 partitions; the probe asks for 3 on events.
    const grownLine = (out: string) => out.split('\n').find((l) => l.includes('"msg":"topic partitions grown'));
    const first = await runProbe({ TOPIC_PARTITIONS_EVENTS: '3', TOPIC_PARTITIONS_DELIVERIES: '2', TOPIC_PARTITIONS_RETRY: '2', TOPIC_PARTITIONS_DLQ: '1' });
    const line = grownLine(first.out);
    if (!line) console.error(`probe output:\n${first.out}`);
    expect(JSON.parse(line!)).toMatchObject({ level: 'warn', grown: [{ topic: `${kafka.prefix}events`, from: 2, to: 3 }] });
    const again = await runProbe({ TOPIC_PARTITIONS_EVENTS: '3', TOPIC_PARTITIONS_DELIVERIES: '2', TOPIC_PARTITIONS_RETRY: '2', TOPIC_PARTITIONS_DLQ: '1' });
    expect(again.out).toContain('"msg":"starting"');
    expect(grownLine(again.out)).toBeUndefined();
  });

  it('stops gracefully and exits 1 through ctx.fatal, so its supervisor starts a fresh process', async () => {
    const { code, out } = await runProbe();
    const lines = out.split('\n');
    const fatalAt = lines.findIndex(
      (l) => l.includes('"level":"fatal"') && l.includes('probe consumer stopped for good; exiting so a fresh process takes over'),
    );
    const stoppedAt = lines.findIndex((l) => l.includes('"msg":"PROBE: work stopped"'));
    if (code !== 1 || fatalAt < 0 || stoppedAt <= fatalAt) console.error(`fatal probe output:\n${out}`);
    expect({ code, fatalAt: fatalAt >= 0, stoppedAt: stoppedAt > fatalAt }).toEqual({ code: 1, fatalAt: true, stoppedAt: true });
    expect(lines[fatalAt]).toContain('not retriable');
  });
});
