import { fixtures } from '@hookstream/schemas';
import { rowsWhereIn } from '@hookstream/store/testing';
import { startReceiver, waitFor, type Receiver } from '@hookstream/test-kit';
import { createHarness, insertWebhook, job, produceJobs, type Harness } from './support/harness.js';

describe('crash and shutdown', () => {
  let h: Harness;
  let receiver: Receiver;
  const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'crash-test-token' } };

  beforeAll(async () => {
    h = await createHarness();
    receiver = await startReceiver({ respond: () => ({ status: 200, delayMs: 250 }) });
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const ids = (jobs: { delivery_id: string }[]) => new Set(jobs.map((j) => j.delivery_id));
  const seen = (wanted: Set<string>) => new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])).filter((id) => wanted.has(id)));

  it('delivers every job at least once when the worker is killed with SIGKILL mid-flight and restarted', async () => {
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url, max_in_flight: 4 });
    const jobs = Array.from({ length: 40 }, () => job(h.tenantId, wh.id));
    const wanted = ids(jobs);
    // A small per-partition bound, so the partition is paused and resumed along the way.
    const first = await h.startWorker({ PARTITION_MAX_IN_FLIGHT: '6' });
    await produceJobs(h.kafka, jobs);
    await waitFor(() => seen(wanted).size >= 8, { what: 'some deliveries before the kill' });
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    const beforeKill = seen(wanted).size;
    expect(beforeKill).toBeLessThan(40);

    const second = await h.startWorker({ PARTITION_MAX_IN_FLIGHT: '6' });
    await waitFor(() => seen(wanted).size === 40, { what: 'all 40 jobs delivered after the restart', timeoutMs: 45_000 });
    const calls = receiver.requests.filter((r) => wanted.has(String(r.headers['webhook-id']))).length;
    process.stderr.write(
      `[crash] ${beforeKill} distinct jobs reached the receiver before SIGKILL; after restart all 40 arrived with ${calls - 40} duplicate calls\n`,
    );
    await waitFor(
      async () => {
        const rows = await rowsWhereIn(h.pg.db, 'deliveries', 'id', [...wanted], { status: 'delivered' });
        return rows.length === 40;
      },
      { what: 'forty delivered rows' },
    );
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('on SIGTERM finishes the calls in flight, records them, commits them and exits 0; the rest waits in Kafka', async () => {
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url, max_in_flight: 3 });
    const jobs = Array.from({ length: 30 }, () => job(h.tenantId, wh.id));
    const wanted = ids(jobs);
    const [running] = await Promise.all([h.startWorker(), produceJobs(h.kafka, jobs)]);
    await waitFor(() => seen(wanted).size >= 3, { what: 'calls in flight' });
    expect(await running.stop('SIGTERM')).toBe(0);
    expect(running.output().join('\n')).toContain('"msg":"stopped"');
    const started = receiver.requests.filter((r) => wanted.has(String(r.headers['webhook-id'])));
    // Every call that started was answered and audited before the process exited.
    for (const r of started) expect(r.answeredAt).toBeDefined();
    const delivered = await rowsWhereIn(h.pg.db, 'deliveries', 'id', [...wanted], { status: 'delivered' });
    expect(delivered.length).toBe(new Set(started.map((r) => r.headers['webhook-id'])).size);
    expect(delivered.length).toBeLessThan(30);

    const before = started.length;
    await h.startWorker();
    await waitFor(() => seen(wanted).size === 30, { what: 'the remaining jobs after the restart', timeoutMs: 30_000 });
    const all = receiver.requests.filter((r) => wanted.has(String(r.headers['webhook-id'])));
    // Finished work was committed before exit: nothing delivered before the shutdown is sent again.
    expect(all.length).toBe(30);
    process.stderr.write(`[shutdown] ${before} calls finished during graceful shutdown; 0 duplicates after restart\n`);
  });
});
