import { fixtures } from '@hookstream/schemas';
import { metric, sleep, startReceiver, waitFor, type Receiver } from '@hookstream/test-kit';
import { createHarness, deliveryRow, insertWebhook, job, produceJobs, type Harness } from './support/harness.js';

describe('liveness: waiting on purpose is not a stall, a stall that outlives its causes ends the process', () => {
  let h: Harness;
  let receiver: Receiver;
  let hang = false;
  const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'liveness-token' } };

  beforeAll(async () => {
    h = await createHarness();
    receiver = await startReceiver({ respond: () => (hang ? { hang: true } : { status: 200 }) });
  });
  afterAll(async () => {
    await receiver?.close();
    await h.close();
  });

  it('a retry waiting minutes on its tier is lag, not a stall: /readyz stays 200 past the stall limit', async () => {
    // Stalled after 2 s without a commit while messages wait; lag is measured every 5 s.
    const worker = await h.startWorker({ CONSUMER_STALL_AFTER_MS: '2000' });
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url });
    await produceJobs(h.kafka, [job(h.tenantId, wh.id, 'replied-message', { attempt: 2, due_at: Date.now() + 10 * 60_000 })]);
    // The job moves to the 10 minute tier, whose partition the worker then holds.
    await waitFor(async () => ((await metric(worker.opsUrl, 'hookstream_consumer_lag')) ?? 0) > 0, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the held retry counted as lag',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${worker.opsUrl}/readyz`);
      statuses.push(r.status);
      if (r.status !== 200) process.stderr.write(`[liveness] /readyz ${r.status}: ${await r.text()}\n`);
      await sleep(1000);
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await metric(worker.opsUrl, 'hookstream_consumer_lag')).toBeGreaterThan(0);
    expect(receiver.requests).toHaveLength(0);
    await worker.stop('SIGTERM');
  });

  it('a worker stalled past CONSUMER_STUCK_EXIT_AFTER_MS while Kafka and PostgreSQL answer exits 1; a fresh worker delivers every job', async () => {
    // Every call hangs until the 10 s webhook timeout, one job at a time per partition: no
    // commit for seconds while jobs wait. The production default is 10 minutes; 1 s here.
    hang = true;
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: receiver.url, timeout_ms: 10_000, retry_base: 1, retry_max_count: 5 });
    const jobs = Array.from({ length: 10 }, () => job(h.tenantId, wh.id));
    const stuck = await h.startWorker({ CONSUMER_STALL_AFTER_MS: '1000', CONSUMER_STUCK_EXIT_AFTER_MS: '1000', PARTITION_MAX_IN_FLIGHT: '1' });
    await produceJobs(h.kafka, jobs);
    const code = await Promise.race([stuck.exited, sleep(45_000).then(() => 'still running')]);
    expect(code).toBe(1);
    const said = stuck.output().find((l) => l.includes('"level":"fatal"'));
    expect(said).toMatch(
      /job consumer stuck: no offset committed for \d+ s while \d+ messages wait and Kafka and PostgreSQL answer; exiting so a fresh process takes over/,
    );

    // What it had taken is redelivered to the next worker: nothing is lost.
    hang = false;
    await h.startWorker();
    for (const j of jobs) {
      await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'delivered', {
        timeoutMs: 60_000,
        what: `job ${j.delivery_id} delivered`,
      });
    }
    for (const j of jobs) expect(receiver.byId(j.delivery_id).some((r) => r.answeredAt !== undefined)).toBe(true);
  });
});
