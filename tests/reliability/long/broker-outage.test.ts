import { runLoad, sleep, startPrivateBroker, startReceiver, waitFor, type PrivateBroker, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { countDeliveries, missing, missingEvents, type FaultCount } from '../test/support/counting.js';
import { explainMissing } from '../test/support/diagnose.js';
import { isReady, watchProcesses } from '../test/support/ops.js';
import { recordResults } from '../test/support/results.js';
import { event, newTenant, SHORT_STUCK_EXIT_ENV, startReliabilitySystem, subscribe } from '../test/support/system.js';

const OUTAGE_MS = Number(process.env.RELIABILITY_BROKER_OUTAGE_MS ?? 20_000);

describe('the Kafka broker stopped and restarted during load', () => {
  let broker: PrivateBroker;
  let system: TestSystem;
  let receiver: Receiver;
  const faults: FaultCount[] = [];
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    // A broker of this test alone: the shared one on 9092 is never touched.
    broker = await startPrivateBroker({ port: Number(process.env.RELIABILITY_BROKER_PORT ?? 19192) });
    [system, receiver] = await Promise.all([startReliabilitySystem({ partitions: 2, brokers: broker.brokers, env: SHORT_STUCK_EXIT_ENV }), startReceiver()]);
  }, 240_000);
  afterAll(async () => {
    recordResults({ faults, broker_outage: measured });
    // A failed test may have left the broker stopped: the clean-up needs it.
    await broker?.start().catch(() => undefined);
    await system?.stop();
    await receiver?.close();
    await broker?.destroy();
  }, 180_000);

  it(`the apps reconnect by themselves after ${OUTAGE_MS / 1000} s and nothing accepted is lost`, async () => {
    const tenant = await newTenant(system, 'broker-outage');
    const paths = ['/broker/a', '/broker/b'];
    await subscribe(tenant, receiver, paths, 'followee-commented');
    const load = runLoad({
      baseUrl: () => system.gateway.baseUrl,
      apiKey: tenant.apiKey,
      nextBatch: (n) => Array.from({ length: n }, () => event('followee-commented', tenant.id)),
      batchSize: 10,
      intervalMs: 100,
      durationMs: OUTAGE_MS + 20_000,
      maxAttempts: 100_000,
      retryDelayMs: 500,
    });
    await receiver.waitForRequests(20, { path: paths[0], timeoutMs: 30_000 });
    const watch = watchProcesses(
      { gateway: () => system.gateway.opsUrl, matcher: () => system.matchers[0]!.opsUrl, worker: () => system.workers[0]!.opsUrl },
      'hookstream_consumer_seconds_since_last_commit',
      1000,
    );
    const t0 = Date.now();
    await broker.stop();
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - t0)));
    const duringOutage = JSON.parse(JSON.stringify(watch.seen)) as typeof watch.seen;
    await broker.start();
    const restartedAt = Date.now();
    const sent = await load;
    await watch.stop();

    await waitFor(() => missing(receiver, paths, sent.accepted) === 0, { timeoutMs: 180_000, intervalMs: 500, what: 'every accepted event delivered' }).catch(
      () => undefined,
    );
    const count = countDeliveries('kafka_broker_down', receiver, paths, sent.accepted);
    faults.push(count);
    measured.outage_ms = OUTAGE_MS;
    measured.during_outage = duringOutage;
    measured.client_retried_requests = sent.retriedRequests;
    measured.caught_up_after_restart_ms = Date.now() - restartedAt;
    if (count.lost > 0) process.stderr.write(`${await explainMissing(system, tenant.id, missingEvents(receiver, paths, sent.accepted))}\n`);

    expect(sent.abandoned).toEqual([]);
    expect(count.mixedIds).toBe(0);
    expect(count.lost).toBe(0);
    expect(duringOutage.gateway!.notReady).toBeGreaterThan(0);
    for (const p of [system.gateway, ...system.matchers, ...system.workers]) {
      await waitFor(() => isReady(p.opsUrl), { timeoutMs: 60_000, what: `${p.name} ready again` });
      expect(p.child.exitCode).toBeNull();
    }
  });

  it('a gateway killed while the broker is away loses none of the events it had claimed: the client retry is published', async () => {
    const tenant = await newTenant(system, 'claim-crash');
    await subscribe(tenant, receiver, ['/claimed'], 'message-rejected');
    const events = Array.from({ length: 10 }, () => event('message-rejected', tenant.id));
    await broker.stop();
    // The gateway records the ids as seen, then waits for a broker that does not answer.
    const hanging = fetch(`${system.gateway.baseUrl}/v1/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(events),
    }).catch((e: Error) => e);
    await sleep(2000);
    expect(await system.gateway.stop('SIGKILL')).toBe('SIGKILL');
    // The client saw its connection reset, not an answer.
    expect(typeof ((await hanging) as { status?: unknown }).status).toBe('undefined');
    // The killed gateway had claimed the ids before the broker could answer: before claims were
    // confirmed only after the broker's ack, these rows made the retry a "duplicate" that was never published.
    const claimed = await system.pg
      .db('ingested_events')
      .where({ tenant_id: tenant.id })
      .whereIn(
        'event_id',
        events.map((e) => e.id),
      )
      .count<{ n: string }[]>({ n: '*' });
    expect(Number(claimed[0]!.n)).toBe(events.length);
    await broker.start();
    const gateway = await system.add('gateway');
    system.gateway = gateway;

    // The client did not get an answer, so it sends the same events again.
    const retry = await fetch(`${gateway.baseUrl}/v1/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(events),
    });
    expect(retry.status).toBe(202);
    const ids = events.map((e) => e.id);
    await waitFor(() => missing(receiver, ['/claimed'], ids) === 0, { timeoutMs: 60_000, what: 'the retried events delivered' }).catch(() => undefined);
    const count = countDeliveries('gateway_killed_while_broker_away', receiver, ['/claimed'], ids);
    faults.push(count);
    if (count.lost > 0) process.stderr.write(`${await explainMissing(system, tenant.id, missingEvents(receiver, ['/claimed'], ids))}\n`);
    expect(count.lost).toBe(0);
  });
});
